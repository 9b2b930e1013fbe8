package dev.kvstore.core.internal;

import java.util.concurrent.Executor;

/**
 * An event loop seen as an executor: one thread that runs tasks in passes. The log uses it to write and force
 * a loop's appends on the loop itself, once at the end of its pass, and to complete them there without a
 * thread hand-off. Implemented by kvstore-net over a Netty event loop. Not API.
 *
 * <p>Implementations are thread-safe.
 */
public interface LoopExecutor extends Executor {

  /** Whether the calling thread is this loop's thread. */
  boolean inLoop();

  /**
   * Runs {@code task} on the loop once the tasks of the current pass have run (after the flushes they queued),
   * or at the end of the next pass when called from another thread.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the loop is shutting down
   */
  void executeAtEndOfPass(Runnable task);
}
