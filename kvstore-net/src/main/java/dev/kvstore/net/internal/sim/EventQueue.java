package dev.kvstore.net.internal.sim;

import dev.kvstore.net.internal.transport.Cancellable;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The virtual clock and the pending events of a simulation, ordered by (time, insertion number) so that
 * events due at the same instant run in the order they were scheduled. Cancelled events stay in the heap and
 * are skipped when they come up.
 *
 * <p>Not thread-safe: confined to the simulation's thread (checked by {@link SimulatedNetwork}).
 */
final class EventQueue {
  private final PriorityQueue<Event> heap =
      new PriorityQueue<>(Comparator.comparingLong((Event e) -> e.time).thenComparingLong(e -> e.seq));
  private long now;
  private long seq;

  /** Returns the virtual time in nanoseconds since the simulation began. */
  long now() {
    return now;
  }

  /** Schedules {@code action} at {@code now + delayNanos}; {@code owner} is the node whose crash cancels it. */
  Event add(long delayNanos, String owner, Runnable action) {
    Event event = new Event(Math.addExact(now, delayNanos), seq++, owner, action);
    heap.add(event);
    return event;
  }

  /** Cancels every pending event owned by {@code owner}. */
  void cancelOwnedBy(String owner) {
    for (Event e : heap) {
      if (owner.equals(e.owner)) {
        e.cancel();
      }
    }
  }

  /** Removes and returns the next live event due at or before {@code deadline}, advancing the clock to it. */
  Event pollDue(long deadline) {
    Event next = peekLive();
    if (next == null || next.time > deadline) {
      return null;
    }
    heap.poll();
    now = next.time;
    return next;
  }

  /** Advances the clock to {@code time} if it is later. */
  void advanceTo(long time) {
    now = Math.max(now, time);
  }

  private Event peekLive() {
    while (!heap.isEmpty() && heap.peek().cancelled) {
      heap.poll();
    }
    return heap.peek();
  }

  /** One scheduled action. */
  static final class Event implements Cancellable {
    final long time;
    final long seq;
    final String owner;
    final Runnable action;
    boolean cancelled;

    Event(long time, long seq, String owner, Runnable action) {
      this.time = time;
      this.seq = seq;
      this.owner = owner;
      this.action = action;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
