package dev.kvstore.clock.testing;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a seeded property over many seeds (0, 1, 2, ...), or over the single seed given as {@code
 * -Dkvstore.seed=<n>} to replay a failure. A failure names its seed and the flag that replays it. The one copy for
 * every module's tests (kvstore-clock's test-jar).
 */
public final class Seeds {
  /** The system property that selects the one seed to replay. */
  public static final String PROPERTY = "kvstore.seed";

  private Seeds() {}

  /** A property checked for one seed. */
  @FunctionalInterface
  public interface Property {
    /** Checks the property for {@code seed}; throws (an assertion error) when it does not hold. */
    void check(long seed) throws Exception;
  }

  /** Checks {@code property} for seeds {@code 0 .. count-1}, or for the seed of {@code -Dkvstore.seed}. */
  public static void forEach(int count, Property property) {
    String replay = System.getProperty(PROPERTY);
    if (replay != null && !replay.isBlank()) {
      run(Long.parseLong(replay.strip()), property);
      return;
    }
    for (long seed = 0; seed < count; seed++) {
      run(seed, property);
    }
  }

  /** {@link #forEach} with a {@link SplittableRandom} seeded with each seed. */
  public static void forEachRandom(int count, Consumer<SplittableRandom> property) {
    forEach(count, seed -> property.accept(new SplittableRandom(seed)));
  }

  private static void run(long seed, Property property) {
    try {
      property.check(seed);
    } catch (Exception | AssertionError e) {
      throw new AssertionError("property failed for seed " + seed + " (replay with -D" + PROPERTY + "=" + seed
          + "): " + e.getMessage(), e);
    }
  }
}
