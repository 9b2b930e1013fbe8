package dev.kvstore.net.internal.antientropy;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A two-level hash tree: a fixed number of leaf buckets, each the XOR of the hashes of the keys in it, and a root,
 * the XOR of the leaves. Adding or removing a key's hash is one XOR into its leaf and one into the root, O(1), and
 * the same call does both (XOR is its own inverse). Two trees of the same size are compared leaf by leaf.
 *
 * <p>Thread-safe: leaves and root are atomics, so toggles from several threads commute. A caller that needs a
 * leaf to agree with some other state (such as a record of per-key hashes) serializes its toggles of one
 * bucket itself.
 */
final class HashTree {
  private final AtomicLongArray leaves;
  private final AtomicLong root = new AtomicLong();

  /** An empty tree of {@code buckets} leaves. */
  HashTree(int buckets) {
    this.leaves = new AtomicLongArray(buckets);
  }

  /** XORs {@code hash} into leaf {@code bucket} and the root: adds a key's hash, or removes it when present. */
  void toggle(int bucket, long hash) {
    leaves.getAndAccumulate(bucket, hash, (a, b) -> a ^ b);
    root.getAndAccumulate(hash, (a, b) -> a ^ b);
  }

  /** The number of leaves. */
  int buckets() {
    return leaves.length();
  }

  /** The root: the XOR of every leaf. */
  long root() {
    return root.get();
  }

  /** Leaf {@code bucket}. */
  long leaf(int bucket) {
    return leaves.get(bucket);
  }

  /** A copy of the leaves. */
  long[] leaves() {
    long[] copy = new long[leaves.length()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = leaves.get(i);
    }
    return copy;
  }

  /**
   * The buckets whose leaves differ between {@code mine} and {@code theirs}, ascending.
   *
   * @throws IllegalArgumentException if the two have different numbers of leaves
   */
  static int[] differing(long[] mine, long[] theirs) {
    if (mine.length != theirs.length) {
      throw new IllegalArgumentException("hash trees of " + mine.length + " and " + theirs.length
          + " buckets cannot be compared");
    }
    int[] out = new int[mine.length];
    int n = 0;
    for (int i = 0; i < mine.length; i++) {
      if (mine[i] != theirs[i]) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
