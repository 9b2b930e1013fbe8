package dev.kvstore.clock;

/**
 * The causal relation of one event or version to another, as returned by {@code compare}: the
 * partial order of happened-before (Lamport 1978), so two versions may be neither before nor after
 * each other.
 *
 * <p>Immutable and thread-safe.
 */
public enum Causality {
  /** The first happened before the second: the second saw it and more. */
  BEFORE,
  /** The first happened after the second: the first saw it and more. */
  AFTER,
  /** Both are the same version. */
  EQUAL,
  /** Neither saw the other: they are concurrent siblings. */
  CONCURRENT;

  /**
   * Returns the relation seen from the other side: {@code BEFORE} and {@code AFTER} swap, the
   * others stay.
   */
  public Causality mirror() {
    return switch (this) {
      case BEFORE -> AFTER;
      case AFTER -> BEFORE;
      default -> this;
    };
  }
}
