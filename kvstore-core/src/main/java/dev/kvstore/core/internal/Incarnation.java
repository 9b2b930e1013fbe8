package dev.kvstore.core.internal;

import java.util.random.RandomGenerator;

/**
 * One life of a node's data directory: an order number and a random suffix, written {@code seq-suffix} (for
 * example {@code 3-x7k2p9}); a node's actor id is {@code nodeId.seq-suffix}.
 *
 * <p>The order number counts the incarnations of a directory (kept in its {@code IDENTITY} file and forced
 * before the incarnation issues its first dot), so a reader of a clock can tell which actor of a node is the
 * newest and which are dead. It is not unique on its own: a directory restored from a backup counts again from
 * the backup's number. The random suffix keeps two such incarnations apart. Directories made before
 * incarnations carried an order have a bare suffix, read as order 0. Immutable and thread-safe. Not API.
 *
 * @param seq the order number, 0 for a legacy incarnation, at least 1 otherwise
 * @param suffix six base-36 characters drawn at random
 */
public record Incarnation(long seq, String suffix) {
  private static final int SUFFIX_CHARS = 6;

  /** Checks the parts. */
  public Incarnation {
    if (seq < 0 || suffix == null || suffix.isEmpty() || suffix.indexOf('-') >= 0 || suffix.indexOf('.') >= 0) {
      throw new IllegalArgumentException("bad incarnation " + seq + "-" + suffix);
    }
  }

  /** The first incarnation of a new directory (order 1). */
  public static Incarnation first(RandomGenerator random) {
    return new Incarnation(1, randomSuffix(random));
  }

  /** The incarnation after this one, numbered above both this and {@code atLeastAbove}. */
  public Incarnation next(long atLeastAbove, RandomGenerator random) {
    return new Incarnation(Math.max(seq, atLeastAbove) + 1, randomSuffix(random));
  }

  /**
   * Reads {@code seq-suffix}, or a legacy bare suffix as order 0.
   *
   * @throws IllegalArgumentException if the text is neither
   */
  public static Incarnation parse(String text) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      return new Incarnation(0, text);
    }
    try {
      return new Incarnation(Long.parseLong(text.substring(0, dash)), text.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad incarnation '" + text + "': expected <number>-<suffix>", e);
    }
  }

  /**
   * The incarnation of {@code actorId} if that actor belongs to node {@code nodeId}, else null (another
   * node's actor, a placeholder, or a malformed id).
   */
  public static Incarnation ofActor(String actorId, String nodeId) {
    if (!actorId.startsWith(nodeId) || actorId.length() <= nodeId.length() + 1
        || actorId.charAt(nodeId.length()) != '.') {
      return null;
    }
    try {
      return parse(actorId.substring(nodeId.length() + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The actor id of this incarnation of {@code nodeId}. */
  public String actorOf(String nodeId) {
    return nodeId + "." + this;
  }

  @Override
  public String toString() {
    return seq == 0 ? suffix : seq + "-" + suffix;
  }

  private static String randomSuffix(RandomGenerator random) {
    StringBuilder s = new StringBuilder(SUFFIX_CHARS);
    for (int i = 0; i < SUFFIX_CHARS; i++) {
      s.append(Character.forDigit(random.nextInt(36), 36));
    }
    return s.toString();
  }
}
