package dev.kvstore.clock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The logical clock of Lamport (1978): a counter that ticks before every local or send event and,
 * on receive, jumps past the sender's time ({@code max(local, remote) + 1}). If event a happened
 * before b then {@code L(a) < L(b)}; the converse does not hold (see docs/clocks.md).
 *
 * <p>Thread-safe and lock-free.
 */
public final class LamportClock {
  private final AtomicLong time = new AtomicLong();

  /** Creates a clock at time 0: the first event gets timestamp 1. */
  public LamportClock() {}

  /**
   * Records a local or send event.
   *
   * @return the event's timestamp, one more than the previous time
   */
  public long tick() {
    return time.incrementAndGet();
  }

  /**
   * Records the receipt of a message stamped with {@code remote}.
   *
   * @param remote the sender's Lamport time carried by the message
   * @return the receive event's timestamp, {@code max(current, remote) + 1}
   * @throws IllegalArgumentException if {@code remote} is negative
   */
  public long observe(long remote) {
    if (remote < 0) {
      throw new IllegalArgumentException("remote Lamport time must be >= 0, got " + remote);
    }
    return time.updateAndGet(local -> Math.max(local, remote) + 1);
  }

  /** Returns the time of the latest event, without ticking. */
  public long current() {
    return time.get();
  }

  @Override
  public String toString() {
    return "LamportClock[" + time.get() + "]";
  }
}
