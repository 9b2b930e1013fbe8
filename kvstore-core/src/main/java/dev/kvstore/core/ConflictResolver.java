package dev.kvstore.core;

import java.util.List;

/**
 * Merges the siblings of a key into one value at read time, for stores using {@link
 * ConflictPolicy#SIBLINGS}. The read then returns one version whose context covers every sibling, so the
 * next put with it supersedes them all. Implementations must be thread-safe and deterministic.
 */
@FunctionalInterface
public interface ConflictResolver {
  /**
   * Returns the value that replaces {@code siblings} (at least two, in a deterministic order).
   *
   * @param key the key, not to be modified
   */
  byte[] resolve(byte[] key, List<Version> siblings);
}
