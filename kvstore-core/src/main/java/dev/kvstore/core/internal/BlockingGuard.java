package dev.kvstore.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Marks threads that must never block (network event loops) and checks, where code could block, that it does
 * not run on one. The places that can stall a thread call {@link #checkMayBlock}: the engine's read from disk,
 * waiting on a future, a log force. With the guard on (system property {@code kvstore.blockingGuard=true}, set
 * for the whole test suite by the build), such a call on a marked thread throws {@link IllegalStateException}
 * and is recorded, so a test fails even where the exception is caught and answered as an error; with it off
 * (the default in production) the check is one read of a static final field. Not API.
 *
 * <p>Thread-safe: the mark is a thread-local; the record of violations is guarded by its list.
 */
public final class BlockingGuard {
  private static final boolean ENABLED = Boolean.getBoolean("kvstore.blockingGuard");
  private static final ThreadLocal<String> MARK = new ThreadLocal<>();
  private static final ThreadLocal<String> PERMIT = new ThreadLocal<>();
  private static final List<String> VIOLATIONS = new ArrayList<>(); // guarded by itself

  private BlockingGuard() {}

  /** Whether the guard is on in this JVM. */
  public static boolean enabled() {
    return ENABLED;
  }

  /** Marks the calling thread as one that must not block; {@code role} names it in violations. */
  public static void markNonBlocking(String role) {
    MARK.set(role);
  }

  /** Whether the calling thread is marked as one that must not block. */
  public static boolean isNonBlockingThread() {
    return MARK.get() != null;
  }

  /** A thread factory whose threads are marked as non-blocking before they run their task. */
  public static ThreadFactory nonBlocking(ThreadFactory delegate, String role) {
    return task -> delegate.newThread(() -> {
      markNonBlocking(role);
      task.run();
    });
  }

  /**
   * Runs {@code action} with blocking permitted on the calling thread for the one reason the design chose
   * ({@code why}: the log's group force on an event loop, see docs/design.md).
   */
  public static <E extends Exception> void permitted(String why, ThrowingRunnable<E> action) throws E {
    String outer = PERMIT.get();
    PERMIT.set(why);
    try {
      action.run();
    } finally {
      PERMIT.set(outer);
    }
  }

  /** An action that may throw {@code E}. */
  @FunctionalInterface
  public interface ThrowingRunnable<E extends Exception> {
    /** Runs the action. */
    void run() throws E;
  }

  /**
   * Checks that the calling thread may block for {@code what}; with the guard on, throws on a marked thread
   * unless the block runs inside {@link #permitted}.
   *
   * @throws IllegalStateException if the guard is on and the thread is marked non-blocking
   */
  public static void checkMayBlock(String what) {
    if (ENABLED) {
      String role = MARK.get();
      if (role != null && PERMIT.get() == null) {
        String violation = what + " on " + Thread.currentThread().getName() + " (" + role + ", must not block)";
        synchronized (VIOLATIONS) {
          VIOLATIONS.add(violation);
        }
        throw new IllegalStateException(violation);
      }
    }
  }

  /** Returns and forgets the violations recorded so far (for the test suite's check after each test). */
  public static List<String> drainViolations() {
    synchronized (VIOLATIONS) {
      List<String> all = List.copyOf(VIOLATIONS);
      VIOLATIONS.clear();
      return all;
    }
  }
}
