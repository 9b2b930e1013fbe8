package dev.kvstore.net.internal.transport;

import java.time.Duration;

/**
 * The one pending timer of a component that re-arms itself (a failure detector's tick, a hint delivery round),
 * and whether the component was closed: scheduling replaces (and cancels) the pending timer, and once closed the
 * slot schedules nothing and cancels what was pending. Not API. Thread-safe: guarded by this slot's lock.
 */
public final class TimerSlot {
  private final Scheduler scheduler;
  private Cancellable pending; // guarded by this
  private volatile boolean closed; // written under this

  /** A slot whose timers run on {@code scheduler}. */
  public TimerSlot(Scheduler scheduler) {
    this.scheduler = java.util.Objects.requireNonNull(scheduler, "scheduler");
  }

  /** Runs {@code task} after {@code delay} instead of the pending timer, unless the slot is closed. */
  public synchronized void schedule(Duration delay, Runnable task) {
    if (closed) {
      return;
    }
    Cancellable previous = pending;
    pending = scheduler.schedule(delay, task);
    if (previous != null) {
      previous.cancel();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Cancels the pending timer and schedules nothing more. Idempotent. */
  public synchronized void close() {
    closed = true;
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
  }
}
