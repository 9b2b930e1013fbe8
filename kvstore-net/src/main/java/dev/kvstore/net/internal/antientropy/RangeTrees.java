package dev.kvstore.net.internal.antientropy;

import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.WriteListener;
import dev.kvstore.net.internal.ring.Ring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's hash trees for anti-entropy: a {@link HashTree} per replica range it holds, kept up to date on every
 * write of the local store (a {@link WriteListener}) and rebuilt from the store by a scan at start.
 *
 * <p>A replica range is the set of ring segments whose keys have the same replicas: for N=3 on three nodes one
 * range, on five nodes up to six per node. Every key of a range is replicated by the same nodes, so one tree per
 * range serves every exchange about it and two replicas of it compare the same keys. A range is named by its
 * replicas' ids, sorted and joined by commas ({@code "n1,n2,n3"}), which every node of the same ring computes alike.
 *
 * <p>A key's leaf hash is XXH64 of its encoded sibling set, seeded with XXH64 of the key; its bucket comes from its
 * ring position (low bits, independent of the segment). A write XORs the old set's hash out of the key's leaf and
 * the new one's in: O(1), no record per key. Writes of one key reach {@link #onWrite} in the key's write order
 * (under its lock), and XOR commutes across keys, so a tree equals the XOR of the hashes of the current sets
 * whatever the interleaving of threads. Listing the keys of some buckets scans the store (the engine is ordered by
 * key bytes, not by ring position): an exchange pays it only for ranges whose roots differ.
 *
 * <p>Thread-safe: the trees are atomics and the ranges immutable.
 */
public final class RangeTrees implements WriteListener {
  /** The number of leaf buckets per tree. */
  public static final int DEFAULT_BUCKETS = 1024;

  private static final Logger log = LoggerFactory.getLogger(RangeTrees.class);
  private static final long REBUILD_PROGRESS_EVERY = 1_000_000;

  private final String self;
  private final Ring ring;
  private final int bucketMask;
  private final int[] rangeOfSegment; // -1: this node is not a replica of the segment
  private final List<ReplicaRange> ranges;
  private final HashTree[] trees;
  private final Map<String, Integer> byId;

  /**
   * A replica range this node holds.
   *
   * @param id the replicas' ids, sorted, joined by commas
   * @param replicas the replicas' ids, sorted (this node among them)
   * @param peers the replicas other than this node
   * @param segments how many ring segments the range has
   */
  public record ReplicaRange(String id, List<String> replicas, List<String> peers, int segments) {
    /** Copies the lists. */
    public ReplicaRange {
      replicas = List.copyOf(replicas);
      peers = List.copyOf(peers);
    }
  }

  /**
   * Trees for node {@code self} of {@code ring} with {@code n} replicas per key and {@code buckets} leaves each.
   *
   * @throws IllegalArgumentException if {@code self} is not a node of the ring, {@code n} is not positive or
   *     {@code buckets} is not a power of two from 1 to 65536
   */
  public RangeTrees(String self, Ring ring, int n, int buckets) {
    if (!ring.nodes().contains(self)) {
      throw new IllegalArgumentException("node " + self + " is not a node of the ring " + ring.nodes());
    }
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if (buckets < 1 || buckets > 65536 || Integer.bitCount(buckets) != 1) {
      throw new IllegalArgumentException("buckets must be a power of two from 1 to 65536, got " + buckets);
    }
    this.self = self;
    this.ring = ring;
    this.bucketMask = buckets - 1;
    this.rangeOfSegment = new int[ring.segments()];
    Map<String, List<String>> replicasById = new TreeMap<>();
    Map<String, Integer> segmentCounts = new TreeMap<>();
    String[] idOfSegment = new String[ring.segments()];
    for (int s = 0; s < ring.segments(); s++) {
      List<String> replicas = ring.segmentReplicas(s, n).stream().sorted().toList();
      if (replicas.contains(self)) {
        String id = String.join(",", replicas);
        idOfSegment[s] = id;
        replicasById.putIfAbsent(id, replicas);
        segmentCounts.merge(id, 1, Integer::sum);
      }
    }
    List<ReplicaRange> list = new ArrayList<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    replicasById.forEach((id, replicas) -> {
      index.put(id, list.size());
      list.add(new ReplicaRange(id, replicas, replicas.stream().filter(r -> !r.equals(self)).toList(),
          segmentCounts.get(id)));
    });
    for (int s = 0; s < rangeOfSegment.length; s++) {
      rangeOfSegment[s] = idOfSegment[s] == null ? -1 : index.get(idOfSegment[s]);
    }
    this.ranges = List.copyOf(list);
    this.byId = Map.copyOf(index);
    this.trees = new HashTree[list.size()];
    for (int r = 0; r < trees.length; r++) {
      trees[r] = new HashTree(buckets);
    }
  }

  /**
   * Scans {@code store} and adds every key it holds; logs progress every million keys and the total. Call it
   * before the store takes writes: a write of a key the scan has not reached yet would be counted twice.
   */
  public void rebuild(Replica store) {
    long start = System.nanoTime(); // for the log lines only
    long[] keys = {0};
    log.info("node {}: rebuilding anti-entropy trees of {} ranges from the store", self, ranges.size());
    store.scanEncoded(null, null, (k, set) -> {
      onWrite(k, null, set);
      if (++keys[0] % REBUILD_PROGRESS_EVERY == 0) {
        log.info("node {}: anti-entropy trees: {} keys scanned so far", self, keys[0]);
      }
      return true;
    });
    log.info("node {}: anti-entropy trees rebuilt from {} keys in {} ms", self, keys[0],
        (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void onWrite(byte[] key, byte[] before, byte[] after) {
    long position = Ring.position(key);
    int range = rangeOfSegment.length == 0 ? -1 : rangeOfSegment[ring.segmentAt(position)];
    if (range < 0) {
      return; // not a replica of the key: no tree holds it
    }
    long seed = XxHash64.hash(key, 0);
    long delta = (before == null ? 0 : XxHash64.hash(before, seed)) ^ (after == null ? 0 : XxHash64.hash(after, seed));
    if (delta != 0) {
      trees[range].toggle(bucketAt(position), delta);
    }
  }

  /** The leaf hash of {@code key} holding the encoded set {@code set}. */
  static long hash(byte[] key, byte[] set) {
    return XxHash64.hash(set, XxHash64.hash(key, 0));
  }

  /** The ranges this node holds, sorted by id. */
  public List<ReplicaRange> ranges() {
    return ranges;
  }

  /**
   * The range {@code id}.
   *
   * @throws IllegalArgumentException if this node holds no range of that id
   */
  public ReplicaRange range(String id) {
    return ranges.get(indexOf(id));
  }

  /** Whether this node holds a range named {@code id}. */
  public boolean holds(String id) {
    return byId.containsKey(id);
  }

  /** The range that holds {@code key} here, or null when this node is not a replica of it. */
  public ReplicaRange rangeOf(byte[] key) {
    int r = rangeIndexOf(Ring.position(key));
    return r < 0 ? null : ranges.get(r);
  }

  /** The number of leaves of each tree. */
  public int buckets() {
    return bucketMask + 1;
  }

  /** The root of range {@code id}'s tree. */
  long root(String id) {
    return trees[indexOf(id)].root();
  }

  /** Leaf {@code bucket} of range {@code id}'s tree, now. */
  long leaf(String id, int bucket) {
    return trees[indexOf(id)].leaf(bucket);
  }

  /** The bucket of {@code key} in the tree of its range. */
  int bucketOf(byte[] key) {
    return bucketAt(Ring.position(key));
  }

  /** A copy of the leaves of range {@code id}'s tree. */
  long[] leaves(String id) {
    return trees[indexOf(id)].leaves();
  }

  /** The bucket of a key at {@code position}: low bits, mixed. */
  int bucketAt(long position) {
    long h = position * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & bucketMask;
  }

  /**
   * The keys of range {@code id} in {@code buckets}, with their leaf hashes, as the store holds them now: one scan
   * of the whole store. Stops adding buckets once the keys listed exceed {@code maxBytes} (counting each key's
   * bytes and 12 more), always after a whole bucket; {@code covered} then says how many of {@code buckets}, in
   * their order, are complete.
   *
   * @throws IllegalArgumentException if there is no such range or a bucket is out of range
   */
  Listing keysIn(Replica store, String id, int[] buckets, long maxBytes) {
    int range = indexOf(id);
    int[] order = new int[buckets()];
    Arrays.fill(order, -1);
    for (int i = 0; i < buckets.length; i++) {
      int b = buckets[i];
      if (b < 0 || b > bucketMask) {
        throw new IllegalArgumentException("bucket " + b + " is out of range 0.." + bucketMask);
      }
      order[b] = i;
    }
    List<Map<Key, Long>> perBucket = new ArrayList<>();
    long[] bytes = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      perBucket.add(new LinkedHashMap<>());
    }
    store.scanEncoded(null, null, (k, set) -> {
      long position = Ring.position(k);
      int i = rangeIndexOf(position) == range ? order[bucketAt(position)] : -1;
      if (i >= 0) {
        perBucket.get(i).put(new Key(k.clone()), hash(k, set));
        bytes[i] += k.length + 12;
      }
      return true;
    });
    Map<Key, Long> out = new LinkedHashMap<>();
    long total = 0;
    int covered = 0;
    while (covered < buckets.length && (covered == 0 || total + bytes[covered] <= maxBytes)) {
      out.putAll(perBucket.get(covered));
      total += bytes[covered];
      covered++;
    }
    return new Listing(out, covered);
  }

  /** Keys with their leaf hashes, and how many of the buckets asked for they cover completely. */
  record Listing(Map<Key, Long> keys, int covered) {}

  /** The bucket and range of {@code key}, for checking what a peer lists: -1 when this node does not hold it. */
  int bucketIn(String id, byte[] key) {
    long position = Ring.position(key);
    return rangeIndexOf(position) == indexOf(id) ? bucketAt(position) : -1;
  }

  private int rangeIndexOf(long position) {
    return rangeOfSegment.length == 0 ? -1 : rangeOfSegment[ring.segmentAt(position)];
  }

  private int indexOf(String id) {
    Integer r = byId.get(id);
    if (r == null) {
      throw new IllegalArgumentException("node " + self + " holds no replica range '" + id + "'; its ranges: "
          + byId.keySet());
    }
    return r;
  }

  /** A key as a map key (content equality). */
  record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return HexFormat.of().formatHex(bytes);
    }
  }
}
