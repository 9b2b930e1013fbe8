package dev.kvstore.net.internal.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consistent-hashing ring with virtual nodes: every node places {@code vnodesPerNode} tokens on a 64-bit
 * circle, a key hashes onto the same circle, and its preference list is the first N distinct nodes met
 * clockwise from there. Adding or removing a node moves only the keys of the ranges its tokens take or give
 * up (about 1/size of them). Keys and tokens use one hash, the first 64 bits of MurmurHash3 x64 128; the token
 * of a node's i-th virtual node is the hash of the UTF-8 bytes of {@code nodeId + "#" + i}, so every process
 * builds the same ring from the same node set.
 *
 * <p>Immutable and thread-safe; {@link #withNode} and {@link #withoutNode} return new rings.
 */
public final class Ring {
  /** The default number of virtual nodes per node. */
  public static final int DEFAULT_VNODES = 256;
  /** The largest number of virtual nodes per node. */
  public static final int MAX_VNODES = 4096;

  private static final int SEED = 0;
  private static final double CIRCLE = 0x1p64;

  private final List<String> nodes;
  private final int vnodes;
  private final long[] tokens;
  private final int[] owners;

  private Ring(List<String> nodes, int vnodes) {
    this.nodes = nodes;
    this.vnodes = vnodes;
    int size = nodes.size() * vnodes;
    long[][] placed = new long[size][];
    for (int n = 0; n < nodes.size(); n++) {
      for (int v = 0; v < vnodes; v++) {
        placed[n * vnodes + v] = new long[] {token(nodes.get(n), v), n};
      }
    }
    Arrays.sort(placed, Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
    this.tokens = new long[size];
    this.owners = new int[size];
    for (int i = 0; i < size; i++) {
      tokens[i] = placed[i][0];
      owners[i] = (int) placed[i][1];
    }
  }

  /**
   * Returns the ring of {@code nodes} with {@link #DEFAULT_VNODES} virtual nodes each.
   *
   * @throws NullPointerException if the collection or a node id is null
   * @throws IllegalArgumentException if a node id is blank or appears twice
   */
  public static Ring of(Collection<String> nodes) {
    return of(nodes, DEFAULT_VNODES);
  }

  /**
   * Returns the ring of {@code nodes} with {@code vnodesPerNode} virtual nodes each; the order of the collection
   * does not matter.
   *
   * @param nodes the node ids, possibly none
   * @param vnodesPerNode tokens per node, 1 to {@link #MAX_VNODES}
   * @throws NullPointerException if the collection or a node id is null
   * @throws IllegalArgumentException if a node id is blank or appears twice, or {@code vnodesPerNode} is out of
   *     range
   */
  public static Ring of(Collection<String> nodes, int vnodesPerNode) {
    if (vnodesPerNode < 1 || vnodesPerNode > MAX_VNODES) {
      throw new IllegalArgumentException("vnodesPerNode must be in [1, " + MAX_VNODES + "], got " + vnodesPerNode);
    }
    SortedSet<String> sorted = new TreeSet<>();
    for (String node : Objects.requireNonNull(nodes, "nodes")) {
      if (Objects.requireNonNull(node, "node id").isBlank()) {
        throw new IllegalArgumentException("node ids must not be blank, got '" + node + "'");
      }
      if (!sorted.add(node)) {
        throw new IllegalArgumentException("node id " + node + " appears twice in " + nodes);
      }
    }
    return new Ring(List.copyOf(sorted), vnodesPerNode);
  }

  /**
   * Returns the first {@code n} distinct nodes clockwise from the key's position: its replicas, the first being
   * the primary. Fewer than {@code n} when the ring has fewer nodes; each node at most once.
   *
   * @param key the key bytes
   * @param n how many replicas, at least 1
   * @return an immutable list of node ids
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public List<String> preferenceList(byte[] key, int n) {
    Objects.requireNonNull(key, "key");
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    return segmentReplicas(firstTokenAtOrAfter(hash(key)), n);
  }

  /**
   * Returns the position of {@code key} on the circle: the first 64 bits of MurmurHash3 x64 128 of its bytes.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static long position(byte[] key) {
    return hash(Objects.requireNonNull(key, "key"));
  }

  /**
   * Returns the ring segment of a position: the index of the first token at or after it (wrapping to 0). A
   * segment is the arc that ends at its token; every key in it has the same preference list.
   */
  public int segmentAt(long position) {
    return firstTokenAtOrAfter(position);
  }

  /** Returns the number of segments: one per token, {@code nodes().size() * vnodesPerNode()}. */
  public int segments() {
    return tokens.length;
  }

  /**
   * Returns the replicas of every key of segment {@code segment}: the first {@code n} distinct nodes clockwise
   * from its token, the first being the primary.
   *
   * @throws IllegalArgumentException if {@code n < 1} or the segment is out of range
   */
  public List<String> segmentReplicas(int segment, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if (tokens.length == 0 && segment == 0) {
      return List.of(); // an empty ring: preferenceList asks for segment 0
    }
    if (segment < 0 || segment >= tokens.length) {
      throw new IllegalArgumentException("segment must be in [0, " + tokens.length + "), got " + segment);
    }
    int wanted = Math.min(n, nodes.size());
    List<String> replicas = new ArrayList<>(wanted);
    boolean[] taken = new boolean[nodes.size()];
    int start = segment;
    for (int i = 0; replicas.size() < wanted; i++) {
      int owner = owners[(start + i) % tokens.length];
      if (!taken[owner]) {
        taken[owner] = true;
        replicas.add(nodes.get(owner));
      }
    }
    return Collections.unmodifiableList(replicas);
  }

  /** Returns the node ids of the ring, sorted. */
  public List<String> nodes() {
    return nodes;
  }

  /**
   * Describes how this ring places keys with {@code n} replicas each, for comparing two nodes' views:
   * {@code "N=3, 256 virtual nodes, nodes [n1, n2, n3]"}.
   *
   * @throws IllegalArgumentException if {@code n} is not between 1 and the number of nodes
   */
  public String placement(int n) {
    if (n < 1 || n > nodes.size()) {
      throw new IllegalArgumentException("n must be between 1 and " + nodes.size() + ", got " + n);
    }
    return "N=" + n + ", " + vnodes + " virtual nodes, nodes " + nodes;
  }

  /** Returns the number of virtual nodes per node. */
  public int vnodesPerNode() {
    return vnodes;
  }

  /**
   * Returns this ring plus {@code node}.
   *
   * @throws IllegalArgumentException if the node is already on the ring or blank
   */
  public Ring withNode(String node) {
    List<String> more = new ArrayList<>(nodes);
    more.add(node);
    return of(more, vnodes);
  }

  /**
   * Returns this ring without {@code node}.
   *
   * @throws IllegalArgumentException if the node is not on the ring
   */
  public Ring withoutNode(String node) {
    List<String> fewer = new ArrayList<>(nodes);
    if (!fewer.remove(node)) {
      throw new IllegalArgumentException("node " + node + " is not on the ring " + nodes);
    }
    return of(fewer, vnodes);
  }

  /**
   * Returns, per node, the fraction of the hash circle whose keys it is primary for (sums to 1 unless the ring is
   * empty); the expected share of a uniform key set.
   */
  public Map<String, Double> ownership() {
    Map<String, Double> share = new TreeMap<>();
    nodes.forEach(node -> share.put(node, 0.0));
    if (tokens.length == 1) {
      share.put(nodes.get(0), 1.0);
    }
    for (int i = 0; i < tokens.length && tokens.length > 1; i++) {
      long range = tokens[i] - tokens[(i + tokens.length - 1) % tokens.length];
      share.merge(nodes.get(owners[i]), unsigned(range) / CIRCLE, Double::sum);
    }
    return Collections.unmodifiableMap(share);
  }

  /** Returns the position of {@code key} on the circle. */
  static long hash(byte[] key) {
    return Murmur3.hash(key, SEED);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ring other && vnodes == other.vnodes && nodes.equals(other.nodes);
  }

  @Override
  public int hashCode() {
    return 31 * nodes.hashCode() + vnodes;
  }

  @Override
  public String toString() {
    return "Ring" + nodes + " x " + vnodes + " vnodes";
  }

  private static long token(String node, int vnode) {
    return hash((node + "#" + vnode).getBytes(StandardCharsets.UTF_8));
  }

  private int firstTokenAtOrAfter(long position) {
    int i = Arrays.binarySearch(tokens, position);
    if (i < 0) {
      i = -i - 1;
    } else {
      while (i > 0 && tokens[i - 1] == position) {
        i--;
      }
    }
    return i == tokens.length ? 0 : i;
  }

  private static double unsigned(long value) {
    return (value >>> 1) * 2.0 + (value & 1);
  }
}
