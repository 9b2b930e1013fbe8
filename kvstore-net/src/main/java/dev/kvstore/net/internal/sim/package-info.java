/**
 * A deterministic simulated network for tests: virtual time on one thread, seeded per-link delays, drops,
 * duplicates and reordering, partitions, node crashes and restarts, and a trace that replays exactly for the
 * same seed. Its transports implement the same {@link dev.kvstore.net.internal.transport.Transport} as Netty.
 * {@link dev.kvstore.net.internal.sim.SimulatedCluster} runs real local stores on it, each on a simulated disk
 * that loses what was not forced when its node crashes.
 * Not API: may change without notice.
 */
package dev.kvstore.net.internal.sim;
