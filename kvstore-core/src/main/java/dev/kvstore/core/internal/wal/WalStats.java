package dev.kvstore.core.internal.wal;

/**
 * Counters of a write-ahead log since it was opened. Immutable.
 *
 * @param appends records written
 * @param groups groups written (each with one write per segment it touches)
 * @param forces {@code force()} calls by the writer on segments' data: per group ({@code ALWAYS}), per
 *     interval ({@code PERIODIC}), before each roll and at close (not counting the forces of a new
 *     segment's header and of the directory)
 * @param bytes bytes of records written (headers included)
 * @param segments segment files currently in the log directory
 */
public record WalStats(long appends, long groups, long forces, long bytes, int segments) {}
