package dev.kvstore.net.internal.replica;

import java.time.Duration;

/**
 * Replication parameters of one request: N replicas, W write acks, R read replies, and how long to wait.
 * Immutable.
 *
 * @param n replicas per key
 * @param w durable acks a write needs (1..n)
 * @param r replies a read needs (1..n)
 * @param timeout how long a request waits for its quorum
 */
public record Quorum(int n, int w, int r, Duration timeout) {
  /** Checks the ranges. */
  public Quorum {
    checkReplication(n, w, r);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
    }
  }

  /**
   * Checks replication parameters as every builder does.
   *
   * @throws IllegalArgumentException unless {@code 1 <= W <= N} and {@code 1 <= R <= N}
   */
  public static void checkReplication(int n, int w, int r) {
    if (n < 1 || w < 1 || w > n || r < 1 || r > n) {
      throw new IllegalArgumentException("need 1 <= W <= N and 1 <= R <= N, got N=" + n + " W=" + w + " R=" + r);
    }
  }

  /** This quorum with other W and R (0 keeps the current value). */
  public Quorum with(int newW, int newR) {
    return new Quorum(n, newW == 0 ? w : newW, newR == 0 ? r : newR, timeout);
  }

  /** This quorum with another timeout (null or zero keeps the current one). */
  public Quorum withTimeout(Duration newTimeout) {
    return newTimeout == null || newTimeout.isZero() ? this : new Quorum(n, w, r, newTimeout);
  }
}
