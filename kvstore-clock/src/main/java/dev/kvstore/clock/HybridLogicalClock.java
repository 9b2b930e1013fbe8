package dev.kvstore.clock;

import java.time.InstantSource;
import java.util.Objects;

/**
 * A hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks", 2014): timestamps
 * that stay close to physical time yet respect causality like a Lamport clock. The physical part
 * {@code l} is the largest physical time the process has heard of; the logical part {@code c}
 * counts events that share the same {@code l}.
 *
 * <p>Guarantees (from the paper, checked by the tests): every event's timestamp is greater than
 * every earlier timestamp of the process and than the remote timestamp it received; {@code l} never
 * exceeds the largest physical clock reading in the event's causal past; {@code c} of an event is
 * at most the number of events in its causal past that share its {@code l}.
 *
 * <p>Thread-safe: the state is guarded by {@code this}. Physical time is read from the injected
 * source only, so tests control it.
 */
public final class HybridLogicalClock {
  private final InstantSource source;
  private long l; // guarded by this
  private int c; // guarded by this

  /**
   * Creates a clock reading physical time from {@code source}; it starts at {@code 0+0}.
   *
   * @throws NullPointerException if {@code source} is null
   */
  public HybridLogicalClock(InstantSource source) {
    this.source = Objects.requireNonNull(source, "source must not be null");
  }

  /**
   * Records a local or send event and returns its timestamp.
   *
   * @throws IllegalStateException if the logical counter would overflow
   */
  public HlcTimestamp now() {
    long pt = source.millis();
    synchronized (this) {
      long previous = l;
      l = Math.max(previous, pt);
      c = l == previous ? increment(c) : 0;
      return new HlcTimestamp(l, c);
    }
  }

  /**
   * Records the receipt of a message stamped with {@code remote} and returns the receive event's
   * timestamp.
   *
   * @throws NullPointerException if {@code remote} is null
   * @throws IllegalStateException if the logical counter would overflow
   */
  public HlcTimestamp update(HlcTimestamp remote) {
    Objects.requireNonNull(remote, "remote must not be null");
    long pt = source.millis();
    synchronized (this) {
      long previous = l;
      long lm = remote.physicalMillis();
      l = Math.max(Math.max(previous, lm), pt);
      if (l == previous && l == lm) {
        c = increment(Math.max(c, remote.logical()));
      } else if (l == previous) {
        c = increment(c);
      } else if (l == lm) {
        c = increment(remote.logical());
      } else {
        c = 0;
      }
      return new HlcTimestamp(l, c);
    }
  }

  /** Returns the timestamp of the latest event, without recording one. */
  public synchronized HlcTimestamp current() {
    return new HlcTimestamp(l, c);
  }

  private static int increment(int counter) {
    if (counter == Integer.MAX_VALUE) {
      throw new IllegalStateException("HLC logical counter overflow");
    }
    return counter + 1;
  }

  @Override
  public synchronized String toString() {
    return "HybridLogicalClock[" + new HlcTimestamp(l, c) + "]";
  }
}
