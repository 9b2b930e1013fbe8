package dev.kvstore.net.internal.netty;

import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.RealScheduler;
import dev.kvstore.net.internal.transport.Scheduler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Scheduler} of a Netty node: a timer set on an event loop goes on that loop's own timer queue (no
 * timer thread, no wake-up; cancelling it there is a heap removal), and completions of work started on a loop
 * come back to the same loop (the log even writes, forces and completes a loop's appends on the loop itself, at
 * the end of its pass). Work that may block, and timers set from other threads, go to the worker pool.
 *
 * <p>Thread-safe. Closing it closes the pool.
 */
public final class EventLoopScheduler implements Scheduler, AutoCloseable {
  private final RealScheduler pool;
  private final java.util.Map<EventExecutor, NettyLoop> loops = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A scheduler over {@code pool}, for blocking work and for callers that are not on an event loop.
   *
   * @throws NullPointerException if {@code pool} is null
   */
  public EventLoopScheduler(RealScheduler pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public long nanoTime() {
    return pool.nanoTime();
  }

  /** {@inheritDoc} On the calling event loop's timer when called on one, else on the pool's timer. */
  @Override
  public Cancellable scheduleNanos(long delayNanos, Runnable task) {
    EventExecutor loop = currentLoop();
    if (loop == null) {
      return pool.scheduleNanos(delayNanos, task);
    }
    ScheduledFuture<?> timer = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    return () -> timer.cancel(false);
  }

  @Override
  public Executor executor() {
    return pool.executor();
  }

  /**
   * {@inheritDoc} The calling event loop (as a {@link dev.kvstore.core.internal.LoopExecutor}, so that the log
   * writes and forces the loop's appends on the loop at the end of its pass), or the pool when the caller is
   * not on one.
   */
  @Override
  public Executor completer() {
    EventExecutor loop = currentLoop();
    return loop != null ? loops.computeIfAbsent(loop, NettyLoop::new) : pool.executor();
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "EventLoopScheduler[" + pool + "]";
  }

  private static EventExecutor currentLoop() {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    return loop != null && !loop.isShuttingDown() ? loop : null;
  }
}
