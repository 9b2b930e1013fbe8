package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.Versioned;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the whole record (sibling set and causal context) of a store's dead keys: keys with no live value and
 * only tombstones written before a cutoff (or nothing but a context, left by the grace purge). Unlike {@link
 * LocalStore#purgeTombstones}, which keeps a key's context, this frees the key, so it is safe only when every
 * replica of the key is known to hold the same set ({@link PurgeGate}; docs/replication.md, "Tombstones").
 *
 * <p>Before removing records, the removed contexts are merged into the store's counter floor, a record under the
 * empty key ({@link LocalStore#COUNTER_FLOOR_KEY}) from which the store rebuilds its counters at open, so a
 * counter of a removed key is never issued again and a client's old context of it cannot cover a later write. The
 * floor's merge is appended before the removals; the log keeps appends in order and recovers a gapless prefix, so
 * a removal is never durable without it, and nothing here waits.
 *
 * <p>Thread-safe (stateless over a thread-safe store). Not API.
 */
public final class DeadKeys {
  private static final Logger log = LoggerFactory.getLogger(DeadKeys.class);

  private final LocalStore store;

  /** Dead keys of {@code store}. */
  public DeadKeys(LocalStore store) {
    this.store = store;
  }

  /** Whether {@code set} is a record with no live value and only tombstones written before {@code cutoffMillis}. */
  public static boolean isDead(DvvSet<StoredValue> set, long cutoffMillis) {
    if (set.context().isEmpty()) {
      return false; // no record
    }
    for (Versioned<StoredValue> s : set.siblings()) {
      if (!s.value().isTombstone() || s.value().time().physicalMillis() >= cutoffMillis) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@link #remove} of {@link #find}: removes the dead keys that {@code gate} says every replica holds.
   *
   * @param completer where the result completes (null: the log's thread)
   * @return completes, once every change is durable, with how many records were removed
   */
  public CompletableFuture<Integer> purge(long cutoffMillis, PurgeGate gate, Executor completer) {
    try {
      return remove(find(cutoffMillis, gate), cutoffMillis, completer);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The keys dead before {@code cutoffMillis} for which {@code gate} says every other replica holds the set, with
   * their sets. Scans the store on the calling thread (it may read the disk).
   */
  public Map<ByteBuffer, DvvSet<StoredValue>> find(long cutoffMillis, PurgeGate gate) {
    return find(cutoffMillis, key -> true, gate);
  }

  /**
   * {@link #find(long, PurgeGate)} over the keys {@code keys} accepts only: the others' sets are not even decoded
   * (the store is ordered by key bytes, so the scan itself still visits every key).
   */
  public Map<ByteBuffer, DvvSet<StoredValue>> find(long cutoffMillis, Predicate<byte[]> keys, PurgeGate gate) {
    Map<ByteBuffer, DvvSet<StoredValue>> dead = new LinkedHashMap<>();
    store.scanEncoded(null, null, (k, encoded) -> {
      if (keys.test(k)) {
        DvvSet<StoredValue> set = SiblingCodec.decode(encoded);
        if (isDead(set, cutoffMillis) && gate.allReplicasHold(k, set)) {
          dead.put(ByteBuffer.wrap(k.clone()), set);
        }
      }
      return true;
    });
    return dead;
  }

  /**
   * Removes the record of each key of {@code expected} whose set in the store is exactly the one given and dead
   * before {@code cutoffMillis}; a key whose set changed (or is not dead) keeps it. Appends on the calling thread,
   * which may read the disk.
   *
   * @param completer where the result completes (null: the log's thread)
   * @return completes, once every change is durable, with how many records were removed
   */
  public CompletableFuture<Integer> remove(Map<ByteBuffer, DvvSet<StoredValue>> expected, long cutoffMillis,
      Executor completer) {
    DvvSet<StoredValue> floor = DvvSet.empty();
    List<Map.Entry<ByteBuffer, DvvSet<StoredValue>>> dead = new ArrayList<>();
    for (Map.Entry<ByteBuffer, DvvSet<StoredValue>> e : expected.entrySet()) {
      // Only sets this store holds go into the floor: a peer's purge request carries sets it merely claims.
      if (e.getKey().remaining() > 0 && isDead(e.getValue(), cutoffMillis)
          && store.read(bytesOf(e.getKey())).equals(e.getValue())) {
        dead.add(e);
        floor = DvvSet.sync(floor, e.getValue().retain(s -> false));
      }
    }
    if (dead.isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    CompletableFuture<?> floorDurable = store.merge(LocalStore.COUNTER_FLOOR_KEY, floor, completer);
    List<CompletableFuture<Boolean>> removals = new ArrayList<>();
    for (Map.Entry<ByteBuffer, DvvSet<StoredValue>> e : dead) {
      removals.add(store.removeIfUnchanged(bytesOf(e.getKey()), e.getValue(), completer));
    }
    return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).thenCombine(floorDurable, (v, f) -> {
      int removed = (int) removals.stream().filter(CompletableFuture::join).count();
      if (removed > 0) {
        log.info("removed the records of {} deleted keys that every replica holds", removed);
      }
      return removed;
    });
  }

  private static byte[] bytesOf(ByteBuffer key) {
    byte[] out = new byte[key.remaining()];
    key.duplicate().get(out);
    return out;
  }
}
