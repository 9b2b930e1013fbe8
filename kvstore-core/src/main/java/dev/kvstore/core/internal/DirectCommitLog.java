package dev.kvstore.core.internal;

import dev.kvstore.core.internal.engine.Engine;
import dev.kvstore.core.internal.engine.Write;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * No log: each commit is applied to the engine at once, on the caller's thread, and its future is complete
 * when {@code commit} returns (the completer is not used). For in-memory stores
 * (tests, simulations), where nothing is durable anyway. Thread-safe (commits are serialized).
 */
final class DirectCommitLog implements CommitLog {
  private final Engine engine;
  private long sequence; // guarded by this

  DirectCommitLog(Engine engine) {
    this.engine = engine;
    this.sequence = engine.appliedSequence();
  }

  @Override
  public synchronized CompletableFuture<Long> commit(byte[] key, byte[] encodedSet,
      java.util.concurrent.Executor completer) {
    long seq = ++sequence;
    engine.apply(seq, List.of(new Write(key, encodedSet)));
    return CompletableFuture.completedFuture(seq);
  }

  @Override
  public boolean intact() {
    return true;
  }

  @Override
  public synchronized dev.kvstore.core.internal.wal.WalStats stats() {
    return new dev.kvstore.core.internal.wal.WalStats(sequence, 0, 0, 0, 0);
  }

  @Override
  public synchronized String describe() {
    return "direct, sequence " + sequence;
  }

  @Override
  public void close() {}
}
