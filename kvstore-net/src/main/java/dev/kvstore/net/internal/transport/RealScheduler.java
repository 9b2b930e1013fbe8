package dev.kvstore.net.internal.transport;

import dev.kvstore.core.internal.Threads;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: a pool of daemon worker threads for executor work, and one timer
 * thread that hands due delayed tasks to the pool, with {@link System#nanoTime()} as its clock. A task
 * that throws is logged, not lost.
 *
 * <p>The work pool is a plain {@link ThreadPoolExecutor} with one shared queue, so a busy worker takes
 * the next task without a wake-up; timers (one per request, nearly all cancelled) live in their own heap
 * instead of making every worker wait on it, which profiles showed as a storm of futex wake-ups.
 *
 * <p>Thread-safe. {@link #close()} drops delayed tasks, lets queued work finish and waits briefly.
 */
public final class RealScheduler implements Scheduler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RealScheduler.class);
  private static final int MAX_THREADS = 1024;

  private final String name;
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor pool;
  private final Executor executor;

  private RealScheduler(String name, int threads) {
    this.name = name;
    this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        Threads.daemons(name));
    this.timer = new ScheduledThreadPoolExecutor(1, Threads.daemons(name + "-timer"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.executor = task -> pool.execute(logged(Objects.requireNonNull(task, "task")));
  }

  /**
   * Creates a scheduler with {@code threads} daemon threads named {@code name-1}, {@code name-2}, ...
   *
   * @param name the thread name prefix, not blank
   * @param threads the number of threads, 1 to 1024
   * @return the running scheduler
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank or {@code threads} is out of range
   */
  public static RealScheduler create(String name, int threads) {
    if (Objects.requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
    return new RealScheduler(name, threads);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  /**
   * {@inheritDoc}
   *
   * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
   */
  @Override
  public Cancellable scheduleNanos(long delayNanos, Runnable task) {
    Runnable logged = logged(task);
    ScheduledFuture<?> future = timer.schedule(() -> {
      try {
        pool.execute(logged);
      } catch (RejectedExecutionException closing) {
        log.debug("scheduler {}: delayed task dropped at close", name);
      }
    }, delayNanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  /** {@inheritDoc} Its {@code execute} throws {@code RejectedExecutionException} once the scheduler is closed. */
  @Override
  public Executor executor() {
    return executor;
  }

  /** Stops accepting tasks, drops delayed ones, lets queued work run and waits up to 5 seconds. Idempotent. */
  @Override
  public void close() {
    timer.shutdownNow();
    if (!Threads.shutdownAndAwait(pool, Duration.ofSeconds(5), "scheduler " + name + " (interrupting its tasks)")) {
      pool.shutdownNow();
    }
  }

  /** {@inheritDoc} Here always {@link #executor()}: this scheduler has no event loops. */
  @Override
  public Executor completer() {
    return executor();
  }

  @Override
  public String toString() {
    return "RealScheduler[" + name + "]";
  }

  private Runnable logged(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("scheduler {}: task {} failed", name, task, e);
      }
    };
  }
}
