package dev.kvstore.clock;

/**
 * A dot: the identity of one write event, the {@code counter}-th event issued by {@code node}. Dots
 * order by node id, then counter; this total order is for deterministic output only and says
 * nothing about causality.
 *
 * <p>Immutable and thread-safe.
 *
 * @param node the node that issued the event; non-empty, at most 255 UTF-8 bytes
 * @param counter the node's event number, at least 1
 */
public record Dot(String node, long counter) implements Comparable<Dot> {

  /**
   * Creates a dot.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code node} is empty or over 255 UTF-8 bytes, or {@code
   *     counter < 1}
   */
  public Dot {
    NodeIds.check(node, "node");
    if (counter < 1) {
      throw new IllegalArgumentException("counter must be >= 1, got " + counter);
    }
  }

  /**
   * Returns the dot for {@code node}'s {@code counter}-th event; same as the constructor.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code node} is invalid or {@code counter < 1}
   */
  public static Dot of(String node, long counter) {
    return new Dot(node, counter);
  }

  @Override
  public int compareTo(Dot other) {
    int c = node.compareTo(other.node);
    return c != 0 ? c : Long.compare(counter, other.counter);
  }

  /** Returns the dot as {@code node:counter}, for example {@code a:3}. */
  @Override
  public String toString() {
    return node + ":" + counter;
  }
}
