package dev.kvstore.net.internal.antientropy;

/**
 * Told by {@link AntiEntropy} which buckets an exchange found equal: for each {@code i}, this node's leaf {@code
 * buckets[i]} of the tree it keeps with {@code peer} was {@code leaves[i]} and equalled the peer's leaf of its
 * tree with this node. So at that point the peer held exactly the sets this node held for the keys of those
 * buckets that both replicate (up to a collision of 64-bit hashes). What {@link SyncLedger} records for the
 * tombstone rule (docs/replication.md, "Tombstones"). Called on the thread that completes the exchange's tree
 * request; keep it short and never block. With trees per key range, a bucket is a bucket of the range's tree.
 */
@FunctionalInterface
public interface InSyncListener {
  /** Buckets {@code buckets} of the tree shared with {@code peer} held {@code leaves} on both sides. */
  void inSync(String peer, int[] buckets, long[] leaves);
}
