package dev.kvstore.core.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Where a store's writes go: the log of record in front of the engine. A commit completes once the
 * change is durable (per the store's durability) and applied to the engine, so a read after it sees it.
 * Not API. Thread-safe.
 */
interface CommitLog extends AutoCloseable {
  /** Logs and applies "key now holds {@code encodedSet}" ({@code null} removes the key); completes with its sequence number. */
  CompletableFuture<Long> commit(byte[] key, byte[] encodedSet);

  /**
   * Whether every commit that completed is durable and no commit was lost to a log failure: when a closed log
   * says so, the data directory may be marked as closed cleanly.
   */
  boolean intact();

  /** Sequence numbers, groups and forces so far, for stats and tests. */
  String describe();

  @Override
  void close();
}
