package dev.kvstore.net.internal.antientropy;

import java.util.HashMap;
import java.util.Map;

/**
 * What this node knows of its peers' copies: per replica range, peer and bucket, the leaf with which the last
 * exchange found the bucket equal on both sides. While this node's leaf of that bucket still has that value, the
 * bucket's content here is what it was then (its keys hold the same sets, up to a hash collision), so the peer held,
 * at that point, every set this node holds now in that bucket; what the peer got later is newer. A bucket whose
 * leaf changed here since is not known again until an exchange finds it equal again. Kept in memory only: a
 * restarted node knows nothing until its exchanges run.
 *
 * <p>Thread-safe: guarded by its own monitor.
 */
public final class SyncLedger implements InSyncListener {
  private final int buckets;
  private final Map<String, long[]> leaves = new HashMap<>(); // "range|peer", guarded by this
  private final Map<String, boolean[]> known = new HashMap<>(); // "range|peer", guarded by this

  /** An empty ledger for trees of {@code buckets} leaves. */
  public SyncLedger(int buckets) {
    this.buckets = buckets;
  }

  @Override
  public synchronized void inSync(String range, String peer, int[] inSync, long[] leafValues) {
    String id = range + "|" + peer;
    long[] l = leaves.computeIfAbsent(id, p -> new long[buckets]);
    boolean[] k = known.computeIfAbsent(id, p -> new boolean[buckets]);
    for (int i = 0; i < inSync.length; i++) {
      l[inSync[i]] = leafValues[i];
      k[inSync[i]] = true;
    }
  }

  /**
   * Whether the last exchange of range {@code range} with {@code peer} found bucket {@code bucket} equal with the
   * leaf this node holds now, {@code currentLeaf}: then the peer held, at that exchange, what this node holds now in
   * the bucket.
   */
  public synchronized boolean peerHeld(String range, String peer, int bucket, long currentLeaf) {
    String id = range + "|" + peer;
    boolean[] k = known.get(id);
    return k != null && k[bucket] && leaves.get(id)[bucket] == currentLeaf;
  }
}
