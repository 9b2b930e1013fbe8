/**
 * The Netty implementation of {@link dev.kvstore.net.internal.transport.Transport}: TCP connections with framing,
 * handshake, reconnect with backoff, flush batching and back-pressure, and the event-loop based
 * {@link dev.kvstore.net.internal.transport.Scheduler}. The only package of kvstore-net that imports
 * {@code io.netty}. Not API: may change without notice.
 */
package dev.kvstore.net.internal.netty;
