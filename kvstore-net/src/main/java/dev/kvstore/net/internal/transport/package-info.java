/**
 * How nodes talk: the {@link dev.kvstore.net.internal.transport.Transport} SPI with its Netty implementation,
 * the {@link dev.kvstore.net.internal.transport.Scheduler} time source, request correlation and the mapping
 * of wire error codes to exceptions. Not API: may change without notice.
 */
package dev.kvstore.net.internal.transport;
