package dev.kvstore.net.internal.replica;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.StoredValue;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses sibling sets from peers whose hybrid-logical timestamps are further ahead of this node's clock than
 * the maximum offset (60 s by default). A store's hybrid logical clock takes the largest time it hears of and
 * never goes back, so without this bound one peer with a clock far in the future would push every node's clock
 * forward for good, and with it last-write-wins order and tombstone expiry. Each refusal is logged once, naming
 * the peer and the writer of the sibling. Timestamps behind the local clock are always accepted.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClockOffsetGuard {
  /** The default maximum offset: a remote timestamp at most this far ahead of the local clock is accepted. */
  public static final Duration DEFAULT_MAX_OFFSET = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(ClockOffsetGuard.class);

  private final InstantSource clock;
  private final long maxOffsetMillis;

  /**
   * A guard comparing against {@code clock} (the clock the node's store stamps versions with).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code maxOffset} is not positive
   */
  public ClockOffsetGuard(InstantSource clock, Duration maxOffset) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxOffset.isNegative() || maxOffset.isZero()) {
      throw new IllegalArgumentException("maxClockOffset must be positive, got " + maxOffset);
    }
    this.maxOffsetMillis = maxOffset.toMillis();
  }

  /** A guard on the system clock with the default maximum offset. */
  public static ClockOffsetGuard systemDefault() {
    return new ClockOffsetGuard(InstantSource.system(), DEFAULT_MAX_OFFSET);
  }

  /**
   * Checks every sibling of a set {@code peer} sent.
   *
   * @param set the sibling set as received
   * @param peer the node that sent it
   * @param what the message it came in, for the log ({@code Replicate}, {@code ReadReply})
   * @return {@code set}
   * @throws InvalidRequestException if a sibling's time is more than the maximum offset ahead of the local clock
   */
  public DvvSet<StoredValue> check(DvvSet<StoredValue> set, String peer, String what) {
    long limit = clock.millis() + maxOffsetMillis;
    for (Versioned<StoredValue> s : set.siblings()) {
      long at = s.value().time().physicalMillis();
      if (at > limit) {
        long ahead = at - (limit - maxOffsetMillis);
        log.warn("refused a {} from node {}: its version {} (written by {}) is {} ms ahead of this node's clock, "
            + "more than the maximum offset of {} ms; check that node's clock", what, peer, s.dot(), s.dot().node(),
            ahead, maxOffsetMillis);
        throw new InvalidRequestException("node " + peer + " sent a version written " + ahead + " ms ahead of the"
            + " clock of the receiving node (maximum offset " + maxOffsetMillis + " ms); check the clocks");
      }
    }
    return set;
  }
}
