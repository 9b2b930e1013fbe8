/**
 * How nodes talk, without the network: the {@link dev.kvstore.net.internal.transport.Transport} SPI, the
 * {@link dev.kvstore.net.internal.transport.Scheduler} time source, request correlation and stamping shared by
 * every implementation, and the mapping of wire error codes to exceptions. Nothing here imports Netty: the Netty
 * implementation is in {@code dev.kvstore.net.internal.netty}, the simulated one in
 * {@code dev.kvstore.net.internal.sim}. Not API: may change without notice.
 */
package dev.kvstore.net.internal.transport;
