package dev.kvstore.net.internal.antientropy;

/**
 * Told by {@link AntiEntropy} which buckets of a range an exchange found equal: for each {@code i}, this node's
 * leaf {@code buckets[i]} of its tree of range {@code range} was {@code leaves[i]} and equalled the peer's leaf of
 * its tree of the same range (every bucket when the roots matched, the equal ones when {@link PeerExchange}
 * compared leaves). So at that point the peer held exactly the sets this node held for the keys of those buckets
 * (up to a collision of 64-bit hashes). Unlike {@link AntiEntropy.SyncListener}, which says the whole range was
 * equal after some time, this names the leaf values compared, so a set that reached this node after the comparison
 * (which changes its leaf) is never taken for one the peer held. What {@link SyncLedger} records for the tombstone
 * rule (docs/replication.md, "Tombstones"). Called on the thread that completes the exchange's roots or leaves
 * request; keep it short and never block.
 */
@FunctionalInterface
public interface InSyncListener {
  /** Buckets {@code buckets} of range {@code range}'s tree held {@code leaves} both here and on {@code peer}. */
  void inSync(String range, String peer, int[] buckets, long[] leaves);
}
