package dev.kvstore.net.internal.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a simulated link treats each message: a delay drawn uniformly from {@code [minDelay, maxDelay]} (so
 * a wide range reorders messages), a probability of losing it, and a probability of delivering it twice
 * (the copy gets its own delay). Immutable value.
 *
 * @param minDelay the shortest delay, zero or positive
 * @param maxDelay the longest delay, at least {@code minDelay}
 * @param dropRate the probability in [0, 1] that a message is lost
 * @param duplicateRate the probability in [0, 1] that a message that is not lost arrives twice
 */
public record LinkConfig(Duration minDelay, Duration maxDelay, double dropRate, double duplicateRate) {
  /** A link that delivers everything once, in order, after exactly 1 ms. */
  public static final LinkConfig RELIABLE = fixedDelay(Duration.ofMillis(1));

  /**
   * Checks the configuration.
   *
   * @throws NullPointerException if a delay is null
   * @throws IllegalArgumentException if a delay is negative, {@code maxDelay < minDelay}, or a rate is not in
   *     [0, 1]
   */
  public LinkConfig {
    Objects.requireNonNull(minDelay, "minDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (minDelay.isNegative()) {
      throw new IllegalArgumentException("minDelay must be >= 0, got " + minDelay);
    }
    if (maxDelay.compareTo(minDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be >= minDelay " + minDelay + ", got " + maxDelay);
    }
    checkRate(dropRate, "dropRate");
    checkRate(duplicateRate, "duplicateRate");
  }

  /**
   * Returns a lossless link with a constant delay: messages keep their order.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static LinkConfig fixedDelay(Duration delay) {
    return new LinkConfig(delay, delay, 0, 0);
  }

  /**
   * Returns a lossless link whose delays vary in {@code [min, max]}: messages get reordered.
   *
   * @throws IllegalArgumentException if a delay is negative or {@code max < min}
   */
  public static LinkConfig randomDelay(Duration min, Duration max) {
    return new LinkConfig(min, max, 0, 0);
  }

  /** Returns this link with the given loss probability. */
  public LinkConfig withDropRate(double rate) {
    return new LinkConfig(minDelay, maxDelay, rate, duplicateRate);
  }

  /** Returns this link with the given duplication probability. */
  public LinkConfig withDuplicateRate(double rate) {
    return new LinkConfig(minDelay, maxDelay, dropRate, rate);
  }

  long sampleDelayNanos(RandomGenerator random) {
    long min = minDelay.toNanos();
    long max = maxDelay.toNanos();
    return min == max ? min : random.nextLong(min, max + 1);
  }

  private static void checkRate(double rate, String name) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + rate);
    }
  }
}
