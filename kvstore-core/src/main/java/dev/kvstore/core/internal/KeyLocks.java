package dev.kvstore.core.internal;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks over keys: the read-modify-write of one key's sibling set runs under its stripe's lock,
 * so two writes of a key never interleave. Not API. Thread-safe.
 */
final class KeyLocks {
  private final ReentrantLock[] stripes;

  KeyLocks(int count) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("stripe count must be a power of two, got " + count);
    }
    stripes = new ReentrantLock[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** The lock of {@code key}'s stripe. */
  ReentrantLock forKey(byte[] key) {
    int h = Arrays.hashCode(key);
    h ^= h >>> 16;
    return stripes[h & (stripes.length - 1)];
  }
}
