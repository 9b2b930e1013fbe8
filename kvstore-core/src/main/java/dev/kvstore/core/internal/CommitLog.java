package dev.kvstore.core.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Where a store's writes go: the log of record in front of the engine. A commit completes once the
 * change is durable (per the store's durability) and applied to the engine, so a read after it sees it.
 * Not API. Thread-safe.
 */
interface CommitLog extends AutoCloseable {
  /**
   * Logs and applies "key now holds {@code encodedSet}" ({@code null} removes the key); completes with its
   * sequence number, on {@code completer} (with the other commits of its group that name it, in one task) or,
   * when it is null, on the log's own thread. A log whose queue is full refuses at once with {@link
   * dev.kvstore.core.OverloadedException}.
   */
  CompletableFuture<Long> commit(byte[] key, byte[] encodedSet, java.util.concurrent.Executor completer);

  /**
   * Before waiting for a commit made with {@link dev.kvstore.core.internal.wal.WriteAheadLog#CALLER_WRITES}: writes
   * the waiting group on the calling thread if the log is idle ({@link
   * dev.kvstore.core.internal.wal.WriteAheadLog#writeOnCaller}). The default does nothing.
   */
  default void writeOnCaller() {}

  /**
   * Whether every commit that completed is durable and no commit was lost to a log failure: when a closed log
   * says so, the data directory may be marked as closed cleanly.
   */
  boolean intact();

  /** Sequence numbers, groups and forces so far, for stats and tests. */
  String describe();

  /** The log's counters since it was opened (a store without a log counts its commits as appends). */
  dev.kvstore.core.internal.wal.WalStats stats();

  @Override
  void close();
}
