package dev.kvstore.core.internal.engine;

import java.util.List;

/** Argument checks shared by the engines. Stateless. */
final class Writes {
  private Writes() {}

  /**
   * Checks a group of writes before any of it is applied.
   *
   * @throws IllegalArgumentException if writes is null or holds a null
   */
  static void check(List<Write> writes) {
    if (writes == null) {
      throw new IllegalArgumentException("writes must not be null");
    }
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i) == null) {
        throw new IllegalArgumentException("writes[" + i + "] must not be null");
      }
    }
  }
}
