package dev.kvstore.net.internal.transport;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Time and task scheduling: real threads and {@link System#nanoTime()} in production ({@link RealScheduler}),
 * virtual time on one thread in simulation ({@code SimulatedNetwork}). Logic that needs time or delays asks
 * a scheduler, so a simulation can replay it exactly. Implementations are thread-safe.
 */
public interface Scheduler {

  /** Returns a monotonic time in nanoseconds; only differences are meaningful. */
  long nanoTime();

  /**
   * Runs {@code task} once after {@code delay} (in virtual time in simulation).
   *
   * @param delay how long to wait, zero or positive
   * @param task what to run
   * @return a handle that cancels the task
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  default Cancellable schedule(Duration delay, Runnable task) {
    java.util.Objects.requireNonNull(task, "task");
    if (java.util.Objects.requireNonNull(delay, "delay").isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, got " + delay);
    }
    return scheduleNanos(delay.toNanos(), task);
  }

  /**
   * Runs {@code task} once after {@code delayNanos}: what {@link #schedule} does once it has checked its
   * arguments (implementations implement this one).
   *
   * @param delayNanos how long to wait, in nanoseconds, zero or positive
   * @param task what to run, not null
   * @return a handle that cancels the task
   */
  Cancellable scheduleNanos(long delayNanos, Runnable task);

  /**
   * Returns the executor for work that may block (a store read that misses the cache) and for handing results
   * to callers' code (in simulation: the simulation loop).
   */
  Executor executor();

  /**
   * Returns where completions of work started on the calling thread should run: the network event loop the
   * caller runs on, so that a log group's completions come back to it in one task; otherwise {@link
   * #executor()}.
   */
  Executor completer();

  /**
   * Returns the completer for writes whose force may wait up to {@code maxDelayNanos} (a spare replica's copy,
   * which no quorum waits for unless another copy fails): on an event loop, the loop {@link
   * dev.kvstore.core.internal.LoopExecutor#deferring deferring} its force; otherwise {@link #completer()}.
   */
  default Executor deferringCompleter(long maxDelayNanos) {
    Executor completer = completer();
    return completer instanceof dev.kvstore.core.internal.LoopExecutor loop ? loop.deferring(maxDelayNanos) : completer;
  }
}
