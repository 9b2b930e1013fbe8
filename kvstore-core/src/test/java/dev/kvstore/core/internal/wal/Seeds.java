package dev.kvstore.core.internal.wal;

import java.util.stream.LongStream;

/**
 * Runs a seeded property over many seeds. A failure names its seed; {@code -Dkvstore.seed=<n>}
 * replays only that seed. Shared by the storage tests (wal and engine packages).
 */
public final class Seeds {
  /** The system property that replays one seed. */
  public static final String PROPERTY = "kvstore.seed";

  /** A property checked for one seed. */
  @FunctionalInterface
  public interface Property {
    /** Checks the property for {@code seed}; throws on failure. */
    void check(long seed) throws Exception;
  }

  private Seeds() {}

  /**
   * Checks {@code property} for seeds 1..count, or only for the seed given in {@value #PROPERTY}.
   */
  public static void check(int count, Property property) {
    String fixed = System.getProperty(PROPERTY);
    long[] seeds =
        fixed != null
            ? new long[] {Long.parseLong(fixed.trim())}
            : LongStream.rangeClosed(1, count).toArray();
    for (long seed : seeds) {
      try {
        property.check(seed);
      } catch (Throwable t) {
        throw new AssertionError(
            "property failed for seed "
                + seed
                + " (replay with -D"
                + PROPERTY
                + "="
                + seed
                + "): "
                + t,
            t);
      }
    }
  }
}
