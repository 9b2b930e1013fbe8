package dev.kvstore.net.internal.netty;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: after the k-th consecutive failure wait a random time in
 * {@code [d/2, d]} where {@code d = min(max, initial * 2^(k-1))}. The jitter keeps nodes that lost the same
 * peer from retrying in lockstep. Immutable and thread-safe.
 */
record Backoff(Duration initial, Duration max) {

  Backoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial delay must be > 0, got " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff max delay must be >= initial delay " + initial + ", got " + max);
    }
  }

  /** Returns the delay before the next attempt after {@code failures} consecutive failures (at least 1). */
  Duration delay(int failures) {
    long ceiling = ceilingNanos(failures);
    return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
  }

  /** Returns the upper bound of the delay after {@code failures} consecutive failures. */
  long ceilingNanos(int failures) {
    int doublings = Math.min(Math.max(failures, 1) - 1, 62);
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    return initialNanos > (maxNanos >> doublings) ? maxNanos : Math.min(maxNanos, initialNanos << doublings);
  }
}
