package dev.kvstore.core.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread plumbing of the store and the cluster in one place: daemon threads, executor shutdown, and waits
 * that must not be cut short by an interrupt. Not API. Thread-safe (stateless).
 */
public final class Threads {
  private static final Logger log = LoggerFactory.getLogger(Threads.class);

  private Threads() {}

  /** A blocking step that may be interrupted and may throw {@code X}. */
  @FunctionalInterface
  public interface Wait<T, X extends Exception> {
    /** Waits and returns the result. */
    T get() throws InterruptedException, X;
  }

  /** A daemon thread (it never keeps the JVM alive) named {@code name}, not started. */
  public static Thread daemon(Runnable task, String name) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }

  /** A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory daemons(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> daemon(task, prefix + "-" + count.incrementAndGet());
  }

  /**
   * Runs {@code wait} to the end even when interrupted (for a step that must not be abandoned half way, such
   * as a hand-over between a log's threads), then restores the interrupt flag.
   *
   * @throws X what {@code wait} throws besides {@link InterruptedException}
   */
  public static <T, X extends Exception> T uninterruptibly(Wait<T, X> wait) throws X {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return wait.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits until {@code thread} has ended, even when interrupted (the flag is restored). */
  public static void joinUninterruptibly(Thread thread) {
    uninterruptibly(() -> {
      thread.join();
      return null;
    });
  }

  /**
   * Shuts {@code executor} down (queued tasks still run) and waits up to {@code timeout} for it to finish; logs a
   * warning naming {@code what} when it does not, or when the wait is interrupted (the flag is restored).
   *
   * @return true when the executor has terminated
   */
  public static boolean shutdownAndAwait(ExecutorService executor, Duration timeout, String what) {
    executor.shutdown();
    try {
      if (executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
      log.warn("{}: tasks still running {} ms after close", what, timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("{}: interrupted while waiting for its tasks to finish", what);
    }
    return false;
  }
}
