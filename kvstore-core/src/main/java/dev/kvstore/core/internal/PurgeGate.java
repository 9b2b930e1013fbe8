package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;

/**
 * Says whether every replica of a key is known to hold a set at least as new as this store's dead set of it (no
 * live value, only tombstones or nothing but a causal context), so that the store may remove the key's record
 * altogether ({@link DeadKeys}): no replica can then bring a deleted value back. A cluster answers
 * from what its anti-entropy exchanges found in sync (docs/replication.md, "Tombstones"); a store that is its own
 * only replica needs no gate. Called on the purging thread; must not call back into the store. Not API.
 */
@FunctionalInterface
public interface PurgeGate {
  /** Whether every other replica of {@code key} is known to hold {@code set} or a newer set of it. */
  boolean allReplicasHold(byte[] key, DvvSet<StoredValue> set);
}
