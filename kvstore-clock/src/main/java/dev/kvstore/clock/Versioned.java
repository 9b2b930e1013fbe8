package dev.kvstore.clock;

import java.util.Objects;

/**
 * A sibling: one value together with the version it was written with. Equality is the version's and
 * the value's {@code equals} (for arrays that is identity).
 *
 * <p>Immutable and thread-safe when {@code V} is.
 *
 * @param version the value's dotted version vector
 * @param value the value; a tombstone must be represented by a non-null value of {@code V}
 * @param <V> the value type, immutable or treated as such
 */
public record Versioned<V>(DottedVersionVector version, V value) {

  /**
   * Creates a sibling.
   *
   * @throws NullPointerException if {@code version} or {@code value} is null
   */
  public Versioned {
    Objects.requireNonNull(version, "version must not be null");
    Objects.requireNonNull(value, "value must not be null");
  }

  /** Returns the dot of the version, the identity of the write. */
  public Dot dot() {
    return version.dot();
  }
}
