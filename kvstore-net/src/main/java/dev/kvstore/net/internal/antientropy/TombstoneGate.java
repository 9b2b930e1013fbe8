package dev.kvstore.net.internal.antientropy;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.internal.PurgeGate;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.antientropy.RangeTrees.ReplicaRange;

/**
 * The tombstone rule of a cluster node (docs/replication.md, "Tombstones"): a dead key's record may go once every
 * other replica of the key is known to hold the same set, that is, when for each of them the {@link SyncLedger}
 * says the last exchange of the key's range found the key's bucket equal with the leaf this node still holds. The
 * age bound (no hint or request carrying an older version can still arrive) is the purger's cutoff, not this gate's.
 * The one place that knows the trees' shape (a tree per replica range). Thread-safe.
 */
public final class TombstoneGate implements PurgeGate {
  private final RangeTrees trees;
  private final SyncLedger ledger;

  /** The rule over this node's {@code trees} and what its exchanges found, {@code ledger}. */
  public TombstoneGate(RangeTrees trees, SyncLedger ledger) {
    this.trees = trees;
    this.ledger = ledger;
  }

  @Override
  public boolean allReplicasHold(byte[] key, DvvSet<StoredValue> set) {
    ReplicaRange range = trees.rangeOf(key);
    if (range == null) {
      return false; // not a replica of the key: not this node's to decide
    }
    int bucket = trees.bucketOf(key);
    long leaf = trees.leaf(range.id(), bucket);
    for (String peer : range.peers()) {
      if (!ledger.peerHeld(range.id(), peer, bucket, leaf)) {
        return false;
      }
    }
    return true;
  }
}
