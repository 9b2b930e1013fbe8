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

  /**
   * Runs {@code task} on the loop about {@code delayNanos} from now (a timer on the loop itself). This default,
   * for loops without a timer, runs it at the end of the pass: earlier than asked, never later.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the loop is shutting down
   */
  default void schedule(Runnable task, long delayNanos) {
    executeAtEndOfPass(task);
  }

  /**
   * This loop as the completer of appends whose force may wait up to {@code maxDelayNanos}: the log does not
   * force at the end of the pass for them; they become durable with the next force the loop makes for other
   * appends, or at the latest {@code maxDelayNanos} later. Their futures still complete only once they are
   * durable. For a spare replica's copy, which no quorum waits for unless another copy fails.
   *
   * @throws IllegalArgumentException if {@code maxDelayNanos} is not positive
   */
  default Deferring deferring(long maxDelayNanos) {
    return new Deferring(this, maxDelayNanos);
  }

  /**
   * A loop named as the completer of appends whose force may wait (see {@link #deferring}). Completions run on
   * {@code loop}; the log treats it as that loop.
   *
   * @param loop the loop the appends are made and completed on
   * @param maxDelayNanos how long an append may wait for its force, at most
   */
  record Deferring(LoopExecutor loop, long maxDelayNanos) implements Executor {
    /** Checks the arguments. */
    public Deferring {
      if (loop == null) {
        throw new IllegalArgumentException("loop must not be null");
      }
      if (maxDelayNanos <= 0) {
        throw new IllegalArgumentException("maxDelayNanos must be positive, got " + maxDelayNanos);
      }
    }

    @Override
    public void execute(Runnable task) {
      loop.execute(task);
    }
  }
}
