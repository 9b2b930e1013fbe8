package dev.kvstore.net;

import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.LocalStoreBuilder;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.net.internal.replica.Quorum;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds and starts a {@link KvNode}. Required: {@link #nodeId}, {@link #dataDirectory} (or {@link
 * #inMemory}), {@link #listen} and {@link #peers} (every node of the cluster, this one included, by id).
 * Defaults: cluster id {@code kvstore}, N=3, W=2, R=2, durability ALWAYS, engine ROCKSDB, request timeout
 * 2 s. Every setter checks its argument at once; {@link #start()} checks the combination. Not thread-safe.
 */
public final class KvNodeBuilder {
  String nodeId;
  String clusterId = "kvstore";
  Path dataDirectory;
  boolean inMemory;
  InetSocketAddress listen;
  final Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
  int n = 3;
  int w = 2;
  int r = 2;
  Durability durability = Durability.ALWAYS;
  EngineType engine = EngineType.ROCKSDB;
  Duration requestTimeout = Duration.ofSeconds(2);
  int vnodes = 256;
  int maxFrameBytes = 16 << 20;
  // Reads that miss the cache and callers' async callbacks; requests themselves run on the event loop.
  int storeThreads = 4;
  ConflictResolver conflictResolver;
  int maxPendingWrites = LocalStoreBuilder.DEFAULT_MAX_PENDING_WRITES;
  long valueCacheBytes = 64L << 20;
  Duration maxClockOffset = dev.kvstore.net.internal.replica.ClockOffsetGuard.DEFAULT_MAX_OFFSET;

  KvNodeBuilder() {}

  /** This node's id, 1 to 64 characters of {@code [A-Za-z0-9_-]}. */
  public KvNodeBuilder nodeId(String id) {
    KvStore.local().nodeId(id); // same rule as the local store
    this.nodeId = id;
    return this;
  }

  /** The cluster id; peers with another one are refused at the handshake (default {@code kvstore}). */
  public KvNodeBuilder clusterId(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      throw new IllegalArgumentException("clusterId must be 1 to 128 characters, got " + id);
    }
    this.clusterId = id;
    return this;
  }

  /** Where this node keeps its log and data. */
  public KvNodeBuilder dataDirectory(Path dir) {
    this.dataDirectory = Objects.requireNonNull(dir, "dataDirectory");
    return this;
  }

  /** Keep data in memory only (tests). */
  public KvNodeBuilder inMemory() {
    this.inMemory = true;
    return this;
  }

  /** The address to listen on for peers (port 0 picks a free one). */
  public KvNodeBuilder listen(InetSocketAddress address) {
    this.listen = Objects.requireNonNull(address, "listen");
    return this;
  }

  /** Every node of the cluster by id, this one included (its own address is not dialled). */
  public KvNodeBuilder peers(Map<String, InetSocketAddress> all) {
    Objects.requireNonNull(all, "peers");
    all.forEach((id, address) -> {
      KvStore.local().nodeId(id);
      Objects.requireNonNull(address, "address of peer " + id);
    });
    peers.clear();
    peers.putAll(all);
    return this;
  }

  /** Replicas per key, write acks and read replies: {@code 1 <= W <= N}, {@code 1 <= R <= N} (default 3, 2, 2). */
  public KvNodeBuilder replication(int n, int w, int r) {
    Quorum.checkReplication(n, w, r);
    this.n = n;
    this.w = w;
    this.r = r;
    return this;
  }

  /** When a replica's write counts as durable (default ALWAYS). */
  public KvNodeBuilder durability(Durability d) {
    this.durability = Objects.requireNonNull(d, "durability");
    return this;
  }

  /** The local storage engine (default ROCKSDB). */
  public KvNodeBuilder engine(EngineType type) {
    this.engine = Objects.requireNonNull(type, "engine");
    return this;
  }

  /** How long a request waits for its quorum, 1 ms to 10 minutes (default 2 s). */
  public KvNodeBuilder requestTimeout(Duration timeout) {
    if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("requestTimeout must be between 1 ms and 10 minutes, got " + timeout);
    }
    this.requestTimeout = timeout;
    return this;
  }

  /** Virtual nodes per node on the ring, 1 to 4096 (default 256). */
  public KvNodeBuilder vnodes(int count) {
    if (count < 1 || count > 4096) {
      throw new IllegalArgumentException("vnodes must be between 1 and 4096, got " + count);
    }
    this.vnodes = count;
    return this;
  }

  /**
   * The most writes that may wait for this node's disk, 1 to 16,777,216 (default 65,536): beyond it a write
   * (a client's, or a replica's copy) is refused at once with {@link dev.kvstore.core.OverloadedException},
   * which a client sees as a retryable failure. Bounds the heap a slow disk can take.
   */
  public KvNodeBuilder maxPendingWrites(int writes) {
    KvStore.local().maxPendingWrites(writes); // the local store's rule
    this.maxPendingWrites = writes;
    return this;
  }

  /**
   * Bytes of recently written values a node keeps in memory in front of RocksDB, 0 to 16 GiB (default 64 MiB):
   * every write and read of a key first reads its set, so recently written keys are then a hash lookup.
   */
  public KvNodeBuilder valueCacheBytes(long bytes) {
    KvStore.local().valueCacheBytes(bytes); // the local store's rule
    this.valueCacheBytes = bytes;
    return this;
  }

  /**
   * How far ahead of this node's clock a peer's hybrid-logical timestamp may be, 1 ms to 1 day (default 60 s):
   * a version from a peer stamped further ahead is refused, with a log line naming the peer, so that one bad
   * clock cannot push every node's clock forward for good (last-write-wins and tombstone expiry depend on it).
   */
  public KvNodeBuilder maxClockOffset(Duration offset) {
    if (offset == null || offset.toMillis() < 1 || offset.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("maxClockOffset must be between 1 ms and 1 day, got " + offset);
    }
    this.maxClockOffset = offset;
    return this;
  }

  /** Resolves siblings at read time. */
  public KvNodeBuilder conflictResolver(ConflictResolver resolver) {
    this.conflictResolver = Objects.requireNonNull(resolver, "conflictResolver");
    return this;
  }

  LocalStoreConfig storeConfig() {
    LocalStoreBuilder b = KvStore.local().nodeId(nodeId).contextScope(clusterId).durability(durability).engine(engine)
        .maxPendingWrites(maxPendingWrites).valueCacheBytes(valueCacheBytes);
    if (inMemory) {
      b.inMemory();
    } else {
      b.dataDirectory(dataDirectory);
    }
    return b.config();
  }

  /**
   * Starts the node: opens its store, binds its port, and serves its peers.
   *
   * @throws IllegalArgumentException if a required option is missing or the options do not fit together
   * @throws dev.kvstore.core.KvStoreException if the store cannot open or the port cannot be bound
   */
  public KvNode start() {
    if (nodeId == null || listen == null || peers.isEmpty()) {
      throw new IllegalArgumentException("nodeId, listen and peers are required");
    }
    if (!peers.containsKey(nodeId)) {
      throw new IllegalArgumentException("peers must include this node '" + nodeId + "' (the ring holds every node)");
    }
    if (inMemory == (dataDirectory != null)) {
      throw new IllegalArgumentException("set either dataDirectory(path) or inMemory()");
    }
    if (n > peers.size()) {
      throw new IllegalArgumentException("N=" + n + " replicas need at least " + n + " nodes; peers has " + peers.size());
    }
    return KvNode.start(this);
  }
}
