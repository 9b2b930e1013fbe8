package dev.kvstore.clock;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a property over many seeds. A failure names the seed; {@code -Dkvstore.seed=<n>} replays
 * only that seed.
 */
final class Seeds {
  private Seeds() {}

  /** Runs {@code property} once per seed {@code 0..count-1}, or only for {@code -Dkvstore.seed}. */
  static void forEach(int count, Consumer<SplittableRandom> property) {
    String replay = System.getProperty("kvstore.seed");
    if (replay != null && !replay.isBlank()) {
      run(Long.parseLong(replay.strip()), property);
      return;
    }
    for (long seed = 0; seed < count; seed++) {
      run(seed, property);
    }
  }

  private static void run(long seed, Consumer<SplittableRandom> property) {
    try {
      property.accept(new SplittableRandom(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "property failed for seed "
              + seed
              + " (replay with -Dkvstore.seed="
              + seed
              + "): "
              + e.getMessage(),
          e);
    }
  }
}
