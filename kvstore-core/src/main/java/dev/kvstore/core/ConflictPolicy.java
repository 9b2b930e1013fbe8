package dev.kvstore.core;

/** How a store treats concurrent writes to one key. */
public enum ConflictPolicy {
  /**
   * Keep every concurrent write as a sibling; the reader resolves them (the default), optionally through a
   * {@link ConflictResolver} set on the store.
   */
  SIBLINGS,
  /**
   * Keep only the write with the greatest hybrid logical time, the writer's actor id breaking ties. Simple,
   * but a concurrent write is discarded: use it only where that is acceptable.
   */
  LAST_WRITE_WINS
}
