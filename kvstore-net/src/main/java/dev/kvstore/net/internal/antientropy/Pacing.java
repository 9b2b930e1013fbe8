package dev.kvstore.net.internal.antientropy;

/**
 * How much of a node's CPU, disk and network anti-entropy may take: keys moved per second (each a read or a send
 * of one sibling set), and the differing buckets one periodic exchange of a range handles (each costs a scan of
 * the store on both sides per reply budget; the rest wait for the next exchange). An on-demand repair handles
 * every differing bucket, still at the key rate. Immutable.
 *
 * @param keysPerSecond keys moved per second by one node's exchanges, 1 to 10,000,000
 * @param bucketsPerExchange differing buckets one periodic exchange of a range handles, 1 to 65536
 */
public record Pacing(int keysPerSecond, int bucketsPerExchange) {
  /** 2,000 keys per second, 256 buckets per exchange. */
  public static final Pacing DEFAULTS = new Pacing(2_000, 256);

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException if a value is out of its range
   */
  public Pacing {
    if (keysPerSecond < 1 || keysPerSecond > 10_000_000) {
      throw new IllegalArgumentException("antiEntropyKeysPerSecond must be in [1, 10000000], got " + keysPerSecond);
    }
    if (bucketsPerExchange < 1 || bucketsPerExchange > 65536) {
      throw new IllegalArgumentException("antiEntropyBucketsPerExchange must be in [1, 65536], got "
          + bucketsPerExchange);
    }
  }
}
