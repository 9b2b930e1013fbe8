package dev.kvstore.net;

import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.LocalStoreBuilder;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.net.internal.health.DetectorOptions;
import dev.kvstore.net.internal.hints.HandoffOptions;
import dev.kvstore.core.internal.Arguments;
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
 * 2 s, sloppy quorum with a 3-hour hint window, heartbeats every 500 ms with a phi threshold of 8, restore check
 * at start at most 3 s, no TLS. Every setter checks its argument at once; {@link #start()} checks the combination. Not
 * thread-safe.
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
  Duration antiEntropyInterval = Duration.ofMinutes(10);
  boolean antiEntropy = true;
  dev.kvstore.net.internal.antientropy.Pacing antiEntropyPacing = dev.kvstore.net.internal.antientropy.Pacing.DEFAULTS;
  int vnodes = 256;
  int maxSetBytes = LocalStoreBuilder.DEFAULT_MAX_SET_BYTES;
  // Reads that miss the cache and callers' async callbacks; requests themselves run on the event loop.
  int storeThreads = 4;
  ConflictResolver conflictResolver;
  int maxPendingWrites = LocalStoreBuilder.DEFAULT_MAX_PENDING_WRITES;
  long valueCacheBytes = 64L << 20;
  DetectorOptions detector = DetectorOptions.DEFAULTS;
  HandoffOptions handoff = HandoffOptions.DEFAULTS;
  QuorumMode quorumMode = QuorumMode.SLOPPY;
  boolean hintedHandoff = true;
  Duration restoreCheckTimeout = Duration.ofSeconds(3);
  Duration maxClockOffset = dev.kvstore.net.internal.replica.ClockOffsetGuard.DEFAULT_MAX_OFFSET;
  TlsConfig tls;

  KvNodeBuilder() {}

  /** This node's id, 1 to 64 characters of {@code [A-Za-z0-9_-]}. */
  public KvNodeBuilder nodeId(String id) {
    KvStore.local().nodeId(id); // same rule as the local store
    this.nodeId = id;
    return this;
  }

  /** The cluster id; peers with another one are refused at the handshake (default {@code kvstore}). */
  public KvNodeBuilder clusterId(String id) {
    this.clusterId = Arguments.checkLength("clusterId", id, 1, 128);
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
    this.requestTimeout = Arguments.checkRange("requestTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10));
    return this;
  }

  /**
   * How often, on average, the node runs an anti-entropy turn (each replica range it holds compared with one other
   * replica of it, the next one at each turn): 10 ms to 1 day, jittered by half either way, or {@link Duration#ZERO}
   * for none (default 10 minutes). {@link
   * KvNode#repair()} runs a round at once whatever this says. See docs/replication.md, "Anti-entropy".
   */
  public KvNodeBuilder antiEntropyInterval(Duration interval) {
    this.antiEntropyInterval = Objects.requireNonNull(interval, "antiEntropyInterval").isZero() ? interval
        : Arguments.checkRange("antiEntropyInterval", interval, Duration.ofMillis(10), Duration.ofDays(1));
    return this;
  }

  /**
   * Whether the node keeps anti-entropy trees, serves exchanges and runs them every {@link #antiEntropyInterval}
   * (default true). Keeping the trees costs a ring lookup and two 64-bit hashes per write (under a microsecond, under
   * 1% of a durable put's CPU in {@code kvstore bench local --anti-entropy-overhead}), a few kilobytes of
   * memory per replica range, and a scan of the store at start (about 3 s per million keys). See
   * docs/replication.md, "Anti-entropy".
   */
  public KvNodeBuilder antiEntropy(boolean enabled) {
    this.antiEntropy = enabled;
    return this;
  }

  /**
   * How much anti-entropy may take (default 2,000 keys per second, 256 buckets per exchange): {@code keysPerSecond}
   * bounds the keys one node's exchanges move per second (each a read or a send of one sibling set), 1 to 10
   * million; {@code bucketsPerExchange} bounds the differing buckets a periodic exchange of one range handles, 1 to
   * 65536 (the rest wait for a later turn; {@link KvNode#repair()} handles them all). See docs/replication.md,
   * "Anti-entropy".
   *
   * @throws IllegalArgumentException if a value is out of its range
   */
  public KvNodeBuilder antiEntropyPacing(int keysPerSecond, int bucketsPerExchange) {
    this.antiEntropyPacing = new dev.kvstore.net.internal.antientropy.Pacing(keysPerSecond, bucketsPerExchange);
    return this;
  }

  /** Virtual nodes per node on the ring, 1 to 4096 (default 256). */
  public KvNodeBuilder vnodes(int count) {
    this.vnodes = Arguments.checkRange("vnodes", count, 1, 4096);
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
   * The failure detector's heartbeat interval (1 ms to 60 s, default 500 ms) and the phi above which a peer is
   * treated as down (1 to 100, default 8; higher waits longer before suspecting a peer, lower reacts faster
   * but may suspect a slow one). With the defaults a stopped peer is treated as down after about 2.5 s.
   */
  public KvNodeBuilder failureDetection(Duration heartbeatInterval, double phiThreshold) {
    this.detector = detector.with(heartbeatInterval, phiThreshold);
    return this;
  }

  /** Sloppy (the default) or strict quorum: whether hints count toward W. See {@link QuorumMode}. */
  public KvNodeBuilder quorumMode(QuorumMode mode) {
    this.quorumMode = Objects.requireNonNull(mode, "quorumMode");
    return this;
  }

  /**
   * The largest encoded sibling set one key may hold, 4 KiB to 256 MiB (default 16 MiB; see {@link
   * LocalStoreBuilder#maxSetBytes}). The node's frames are sized from it ({@link #frameBytes}), so every set it
   * accepts can be replicated and read; a write that would make a set larger is refused with {@link
   * dev.kvstore.core.InvalidRequestException} before it is logged. Every node of a cluster should use the same.
   */
  public KvNodeBuilder maxSetBytes(int bytes) {
    this.maxSetBytes = Arguments.checkRange("maxSetBytes", bytes, LocalStoreBuilder.SET_OVERHEAD_BYTES,
        LocalStoreBuilder.MAX_SET_LIMIT);
    return this;
  }

  /**
   * Whether the node holds and delivers hints (default true). Off, the quorum is strict whatever {@link
   * #quorumMode} says, and a replica that missed writes catches up only through read repair and
   * anti-entropy: for demonstrations of those, and for clusters that must not hold data for
   * other nodes. Hints already held stay on disk until it is on again.
   */
  public KvNodeBuilder hintedHandoff(boolean enabled) {
    this.hintedHandoff = enabled;
    return this;
  }

  /**
   * How long a hint is kept for a node that stays down, 1 s to 30 days (default 3 hours): older hints are
   * dropped with a log line, and the keys they held are left to anti-entropy.
   */
  public KvNodeBuilder hintWindow(Duration window) {
    this.handoff = handoff.withWindow(window);
    return this;
  }

  /**
   * How long a starting node waits, at most, for its peers to tell it which of its version counters they
   * hold before it coordinates writes, 0 to 10 minutes (default 3 s). A node restored from an older copy of
   * its data directory learns so from them and takes a new incarnation, so it never reissues a version
   * counter a peer already holds (docs/storage.md). Unreachable peers do not make it wait; 0 does not wait
   * at all (a restore is then noticed only as peers answer).
   */
  public KvNodeBuilder restoreCheckTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("restoreCheckTimeout must be between 0 and 10 minutes, got " + timeout);
    }
    this.restoreCheckTimeout = timeout;
    return this;
  }

  /**
   * The largest frame for sibling sets of up to {@code maxSetBytes}: the set, the longest key, and 64 KiB for the
   * rest of the envelope (ids, clocks, operation id). One rule for nodes and clients.
   */
  static int frameBytes(int maxSetBytes) {
    return maxSetBytes + LocalStoreBuilder.MAX_KEY_LIMIT + (64 << 10);
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

  /**
   * Turns on mutual TLS 1.3 for every connection of this node, to and from peers and clients (default off: plain
   * TCP, for a local demo only). Every node and client of the cluster then needs a certificate from the cluster's
   * CA with {@code OU=<cluster id>}; see {@link TlsConfig} and docs/security.md. The files are reloaded when they
   * change.
   *
   * @throws NullPointerException if {@code config} is null
   */
  public KvNodeBuilder tls(TlsConfig config) {
    this.tls = Objects.requireNonNull(config, "tls");
    return this;
  }

  /**
   * Turns on mutual TLS with the files {@code kvstore certs} wrote for this node: {@link TlsConfig#fromDirectory}.
   *
   * @throws NullPointerException if {@code dir} is null
   * @throws IllegalArgumentException if {@code dir} or one of its three files is missing
   */
  public KvNodeBuilder tls(Path dir) {
    return tls(TlsConfig.fromDirectory(dir));
  }

  /** Resolves siblings at read time. */
  public KvNodeBuilder conflictResolver(ConflictResolver resolver) {
    this.conflictResolver = Objects.requireNonNull(resolver, "conflictResolver");
    return this;
  }

  LocalStoreConfig storeConfig() {
    LocalStoreBuilder b = KvStore.local().nodeId(nodeId).contextScope(clusterId).durability(durability).engine(engine)
        .maxPendingWrites(maxPendingWrites).valueCacheBytes(valueCacheBytes).maxSetBytes(maxSetBytes);
    if (inMemory) {
      b.inMemory();
    } else {
      b.dataDirectory(dataDirectory);
    }
    return b.config();
  }

  /** The hint store's options: a directory of its own beside the node's store, with its durability and engine. */
  LocalStoreConfig hintStoreConfig() {
    LocalStoreBuilder b = KvStore.local().nodeId(nodeId).durability(durability).engine(engine).valueCacheBytes(0)
        .maxSetBytes(maxSetBytes);
    if (inMemory) {
      b.inMemory();
    } else {
      b.dataDirectory(dataDirectory.resolve("hints"));
    }
    return b.config();
  }

  /**
   * Starts the node: opens its store, binds its port, serves its peers, and asks them (for at most {@link
   * #restoreCheckTimeout}) which of its version counters they hold before it coordinates writes.
   *
   * @throws IllegalArgumentException if a required option is missing or the options do not fit together, or the
   *     TLS files cannot be loaded
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
