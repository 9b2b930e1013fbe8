package dev.kvstore.net.internal.antientropy;

import dev.kvstore.clock.Causality;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.internal.ChangeListener;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.ring.Ring;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's hash trees for anti-entropy: a {@link HashTree} per peer, over the keys that both this node and
 * that peer replicate (both in the key's preference list), kept up to date by every change of the local store
 * (a {@link ChangeListener}) and rebuilt from the store by a scan at start. A key's hash is the first 64 bits
 * of SHA-256 over the key and its encoded sibling set; its bucket depends on the key only.
 *
 * <p>Changes of one key may be reported out of order across threads. Each bucket keeps the hash and causal
 * context last recorded for each of its keys, guarded by the bucket's map: a report whose context is strictly
 * before the recorded one is stale and ignored; otherwise the recorded hash is XOR-ed out of the key's peer trees
 * and the new one in. So a tree always equals the XOR of the hashes of the newest sets reported, whatever the
 * order of the reports. A purge (an empty set with an empty context) always removes the key: its order against a
 * later write of the key is not checked, and such a race leaves the key out of the trees until its next change (an
 * exchange then finds it as differing, which costs one extra key, not a wrong merge). Memory: one entry (key, hash, context) per key held.
 *
 * <p>Thread-safe.
 */
public final class PeerTrees implements ChangeListener {
  /** The number of leaf buckets per tree. */
  public static final int DEFAULT_BUCKETS = 1024;

  private static final Logger log = LoggerFactory.getLogger(PeerTrees.class);
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(PeerTrees::sha256);

  private final String self;
  private final Ring ring;
  private final int n;
  private final Map<String, HashTree> trees = new LinkedHashMap<>();
  private final List<Map<Key, Entry>> byBucket; // each map guarded by itself

  private record Entry(long hash, VectorClock context) {}

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
      return java.util.HexFormat.of().formatHex(bytes);
    }
  }

  /**
   * Trees for node {@code self} of {@code ring} with {@code n} replicas per key and {@code buckets} leaves.
   *
   * @throws IllegalArgumentException if {@code self} is not a node of the ring, {@code n} is not positive or
   *     {@code buckets} is not a power of two
   */
  public PeerTrees(String self, Ring ring, int n, int buckets) {
    if (!ring.nodes().contains(self)) {
      throw new IllegalArgumentException("node " + self + " is not a node of the ring " + ring.nodes());
    }
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if (buckets < 1 || Integer.bitCount(buckets) != 1) {
      throw new IllegalArgumentException("buckets must be a power of two, got " + buckets);
    }
    this.self = self;
    this.ring = ring;
    this.n = n;
    for (String node : ring.nodes()) {
      if (!node.equals(self)) {
        trees.put(node, new HashTree(buckets));
      }
    }
    List<Map<Key, Entry>> maps = new java.util.ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      maps.add(new HashMap<>());
    }
    byBucket = List.copyOf(maps);
  }

  /** Scans {@code store} and records every key it holds; logs how many and how long. */
  public void rebuild(Replica store) {
    long start = System.nanoTime(); // for the log line only
    long[] keys = {0};
    store.scan(null, null, (k, set) -> {
      onChange(k, set);
      keys[0]++;
      return true;
    });
    log.info("node {}: anti-entropy trees rebuilt from {} keys in {} ms", self, keys[0],
        (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void onChange(byte[] key, DvvSet<StoredValue> set) {
    List<String> peers = peersOf(key);
    if (peers == null) {
      return; // not a replica of the key here (the ring says so): no tree holds it
    }
    int bucket = bucketOf(key);
    boolean gone = set.isEmpty() && set.context().isEmpty();
    long hash = gone ? 0 : hash(key, SiblingCodec.encode(set));
    Map<Key, Entry> entries = byBucket.get(bucket);
    synchronized (entries) {
      Key k = new Key(key.clone());
      Entry old = entries.get(k);
      if (old != null && !gone && set.context().compare(old.context()) == Causality.BEFORE) {
        return; // a stale report that arrived after a newer one
      }
      for (String peer : peers) {
        HashTree tree = trees.get(peer);
        if (old != null) {
          tree.toggle(bucket, old.hash());
        }
        if (!gone) {
          tree.toggle(bucket, hash);
        }
      }
      if (gone) {
        entries.remove(k);
      } else {
        entries.put(k, new Entry(hash, set.context()));
      }
    }
  }

  /** The peers this node replicates {@code key} with, or null when this node is not a replica of it. */
  List<String> peersOf(byte[] key) {
    List<String> replicas = ring.preferenceList(key, n);
    if (!replicas.contains(self)) {
      return null;
    }
    return replicas.stream().filter(p -> !p.equals(self)).toList();
  }

  /** Whether {@code node} is a peer of this node (one of the ring's other nodes). */
  public boolean hasPeer(String node) {
    return trees.containsKey(node);
  }

  /** The peers, in ring order. */
  public Set<String> peers() {
    return trees.keySet();
  }

  /** The number of leaves of each tree. */
  public int buckets() {
    return byBucket.size();
  }

  /** A copy of the leaves of the tree shared with {@code peer}. */
  long[] leaves(String peer) {
    return tree(peer).leaves();
  }

  /** Leaf {@code bucket} of the tree shared with {@code peer}. */
  long leaf(String peer, int bucket) {
    return tree(peer).leaf(bucket);
  }

  /** The root of the tree shared with {@code peer}. */
  long root(String peer) {
    return tree(peer).root();
  }

  private HashTree tree(String peer) {
    HashTree tree = trees.get(peer);
    if (tree == null) {
      throw new IllegalArgumentException("node " + peer + " is not a peer of node " + self);
    }
    return tree;
  }

  /**
   * The keys, with their recorded hashes, in {@code buckets} that this node replicates with {@code peer}.
   *
   * @throws IllegalArgumentException if {@code peer} is not a peer or a bucket is out of range
   */
  Map<Key, Long> keysIn(String peer, int[] buckets) {
    tree(peer);
    Map<Key, Long> out = new LinkedHashMap<>();
    for (int b : buckets) {
      if (b < 0 || b >= byBucket.size()) {
        throw new IllegalArgumentException("bucket " + b + " is out of range 0.." + (byBucket.size() - 1));
      }
      Map<Key, Entry> entries = byBucket.get(b);
      synchronized (entries) {
        entries.forEach((k, e) -> {
          if (ring.preferenceList(k.bytes(), n).contains(peer)) {
            out.put(k, e.hash());
          }
        });
      }
    }
    return out;
  }

  /** The bucket of {@code key}: a mix of its bytes, independent of its value. */
  int bucketOf(byte[] key) {
    long h = Arrays.hashCode(key) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & (byBucket.size() - 1);
  }

  /** The first 64 bits of SHA-256 over the key's length, the key and the encoded sibling set. */
  static long hash(byte[] key, byte[] encodedSet) {
    MessageDigest d = SHA256.get();
    d.reset();
    d.update(ByteBuffer.allocate(4).putInt(key.length).array());
    d.update(key);
    d.update(encodedSet);
    return ByteBuffer.wrap(d.digest()).getLong();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
