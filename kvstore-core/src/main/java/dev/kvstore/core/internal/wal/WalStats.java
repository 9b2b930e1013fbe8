package dev.kvstore.core.internal.wal;

/**
 * Counters of a write-ahead log since it was opened. Immutable.
 *
 * @param appends records written
 * @param groups groups written (one write each, or one per segment when a group spans a roll)
 * @param forces {@code force()} calls on segment files
 * @param bytes bytes of records written (headers included)
 * @param segments segment files currently in the log directory
 */
public record WalStats(long appends, long groups, long forces, long bytes, int segments) {}
