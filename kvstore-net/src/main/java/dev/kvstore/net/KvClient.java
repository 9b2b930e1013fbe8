package dev.kvstore.net;

import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.LocalStoreBuilder;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.Arguments;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.core.internal.RequestChecks;
import dev.kvstore.core.internal.Threads;
import dev.kvstore.core.internal.VersionsView;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.client.ClientRouter;
import dev.kvstore.net.internal.client.OperationIds;
import dev.kvstore.net.internal.client.ReplicaReads;
import dev.kvstore.net.internal.netty.NettyTransport;
import dev.kvstore.net.internal.netty.NettyTransportBuilder;
import dev.kvstore.net.internal.replica.Quorum;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.status.StatusMessages;
import dev.kvstore.net.internal.transport.ErrorCodes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote client of a kvstore cluster: a {@link KvStore} whose operations run on the cluster's nodes.
 *
 * <pre>{@code
 * try (KvClient client = KvClient.builder()
 *     .nodes(Map.of("n1", addr1, "n2", addr2, "n3", addr3)).connect()) {
 *   Context c = client.put("greeting", "hello");   // coordinated by a replica, acknowledged at W=2
 *   Versions v = client.get("greeting");           // read from R=2 replicas, merged
 * }
 * }</pre>
 *
 * <p>The client knows the ring (the same node ids and virtual nodes as the nodes), and sends each write
 * to the first node of its key's preference list, which coordinates it with the client's W and request
 * timeout; when that node is unreachable or does not answer, the next replica is tried. A get asks the first
 * R replicas for their copies itself, all at once, and when they hold the same set that is the answer; when
 * they differ or one fails, the get goes to a coordinating replica as a write does, which merges the copies
 * and repairs the stale ones. Arguments are
 * checked here, with the same rules and default limits as a node (keys up to 1 KiB, values up to 1 MiB), so
 * a bad request never leaves the client. The client connects to a node on first use; a failure that the
 * cluster reports (too few replicas, a bad request) is raised as the same exception a node would raise.
 *
 * <p>Every write carries an operation id (this client instance's id and a sequence number), so a write whose
 * reply was lost (no answer in time, a connection closed after it was sent) is retried on the next replica
 * without being applied twice. When no replica answers, the failure says whether the operation may have run:
 * {@link dev.kvstore.core.NodeUnavailableException} (it did not), {@link
 * dev.kvstore.core.OutcomeUnknownException} (it may have; {@code isRetrySafe()} is true for a read), or {@link
 * dev.kvstore.core.InsufficientReplicasException} when no replica could be reached at all.
 *
 * <p>Thread-safe. The futures of the {@code ...Async} methods complete on the client's own threads, never
 * on a network event loop.
 */
public final class KvClient implements KvStore {
  private static final Logger log = LoggerFactory.getLogger(KvClient.class);

  private final String clientId;
  private final RequestChecks checks;
  private final int w;
  private final int r;
  private final Duration requestTimeout;
  private final ConflictResolver resolver;
  private final ExecutorService executor;
  private final NettyTransport transport;
  private final ClientRouter router;
  private final ReplicaReads reads;
  private final String clusterId;
  private final OperationIds operations;
  private final java.util.Set<String> nodes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KvClient(Builder b, ExecutorService executor, NettyTransport transport) {
    this.nodes = java.util.Set.copyOf(b.nodes.keySet());
    this.clientId = b.clientId;
    this.checks = new RequestChecks(b.maxKeyBytes, b.maxValueBytes, b.clusterId);
    this.w = b.w;
    this.r = b.r;
    this.requestTimeout = b.requestTimeout;
    this.resolver = b.conflictResolver;
    this.executor = executor;
    this.transport = transport;
    this.router = new ClientRouter(transport, Ring.of(b.nodes.keySet(), b.vnodes), b.n,
        b.requestTimeout.multipliedBy(2), closed::get);
    this.reads = new ReplicaReads(transport, b.requestTimeout, router);
    this.operations = OperationIds.forInstance(b.clientId);
    this.clusterId = b.clusterId;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The id this client presents to the nodes (in their logs). */
  public String clientId() {
    return clientId;
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.kvstore.core.InvalidRequestException if the key is null, empty or too long
   * @throws StoreClosedException if the client is closed
   */
  @Override
  public CompletableFuture<Versions> getAsync(byte[] key) {
    return handOff(startGet(key));
  }

  /** {@inheritDoc} Waits on the calling thread; no hand-off to the client's threads. */
  @Override
  public Versions get(byte[] key) {
    return Futures.join(startGet(key));
  }

  private CompletableFuture<Versions> startGet(byte[] key) {
    checks.key(key);
    checkOpen();
    byte[] k = key.clone();
    return reads.read(k, r, ClientRequests.get(k, r, requestTimeout)).thenApply(found ->
        found instanceof ReplicaReads.Agreed a
            ? VersionsView.of(k, a.set(), Context.of(clusterId, a.set().context()), resolver)
            : ClientRequests.versions(k, ((ReplicaReads.Coordinated) found).reply(), resolver));
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.kvstore.core.InvalidRequestException for a bad key, a null or too long value, or a context
   *     of another cluster
   * @throws StoreClosedException if the client is closed
   */
  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context) {
    checks.key(key);
    checks.value(value);
    checks.context(context);
    return handOff(write("put", key, value.clone(), context));
  }

  /** {@inheritDoc} Waits on the calling thread; no hand-off to the client's threads. */
  @Override
  public Context put(byte[] key, byte[] value, Context context) {
    checks.key(key);
    checks.value(value);
    checks.context(context);
    return Futures.join(write("put", key, value.clone(), context));
  }

  /**
   * Writes {@code value} superseding every version the coordinating replica holds for {@code key} now.
   *
   * @throws dev.kvstore.core.InvalidRequestException for a bad key or a null or too long value
   * @throws StoreClosedException if the client is closed
   */
  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value) {
    checks.key(key);
    checks.value(value);
    return handOff(write("put", key, value.clone(), null));
  }

  /** {@inheritDoc} Waits on the calling thread; no hand-off to the client's threads. */
  @Override
  public Context put(byte[] key, byte[] value) {
    checks.key(key);
    checks.value(value);
    return Futures.join(write("put", key, value.clone(), null));
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.kvstore.core.InvalidRequestException for a bad key or a context of another cluster
   * @throws StoreClosedException if the client is closed
   */
  @Override
  public CompletableFuture<Context> deleteAsync(byte[] key, Context context) {
    checks.key(key);
    checks.context(context);
    return handOff(write("delete", key, null, context));
  }

  /** {@inheritDoc} Waits on the calling thread; no hand-off to the client's threads. */
  @Override
  public Context delete(byte[] key, Context context) {
    checks.key(key);
    checks.context(context);
    return Futures.join(write("delete", key, null, context));
  }

  /**
   * Asks node {@code nodeId} for its {@link NodeStatus}.
   *
   * @throws IllegalArgumentException if {@code nodeId} is not one of the client's nodes
   * @throws StoreClosedException if the client is closed
   * @throws dev.kvstore.core.NodeUnavailableException if the node cannot be reached (it is down, refuses the
   *     connection, or is stopping); {@code node()} names it, a retry is safe
   * @throws dev.kvstore.core.OutcomeUnknownException if the node does not answer within twice the request
   *     timeout, or the connection closes before it does; a retry is safe (a status request changes nothing)
   * @throws dev.kvstore.core.KvStoreException a subclass of it for an error the node answers with
   */
  public NodeStatus status(String nodeId) {
    if (!nodes.contains(nodeId)) {
      throw new IllegalArgumentException("status: '" + nodeId + "' is not a node of this client; nodes: " + nodes);
    }
    checkOpen();
    return Futures.join(transport.request(nodeId, StatusMessages.request(), requestTimeout.multipliedBy(2))
        .thenApply(StatusMessages::fromReply)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(ErrorCodes.toPublic(e, true, nodeId))));
  }

  /**
   * Asks node {@code nodeId} to run one anti-entropy round with every peer now (as {@link KvNode#repair()}) and
   * waits up to {@code timeout} for its report. No authentication: any client that may connect may ask.
   *
   * @throws IllegalArgumentException if {@code nodeId} is not one of the client's nodes, or {@code timeout} is not
   *     between 1 ms and 1 day
   * @throws StoreClosedException if the client is closed
   * @throws dev.kvstore.core.InvalidRequestException if the node keeps no anti-entropy trees
   * @throws dev.kvstore.core.KvStoreException if the node does not answer in time or answers with another error
   */
  public RepairReport repair(String nodeId, java.time.Duration timeout) {
    if (!nodes.contains(nodeId)) {
      throw new IllegalArgumentException("repair: '" + nodeId + "' is not a node of this client; nodes: " + nodes);
    }
    dev.kvstore.core.internal.Arguments.checkRange("timeout", timeout, java.time.Duration.ofMillis(1),
        java.time.Duration.ofDays(1));
    checkOpen();
    return Futures.join(transport.request(nodeId, dev.kvstore.net.internal.proto.Envelope.newBuilder()
        .setRepairRequest(dev.kvstore.net.internal.proto.RepairRequest.getDefaultInstance()), timeout)
        .thenApply(reply -> {
          if (!reply.hasRepairReply()) {
            throw new dev.kvstore.core.KvStoreException("node " + nodeId + " answered a repair request with a "
                + reply.getBodyCase() + " instead of a REPAIR_REPLY");
          }
          var r = reply.getRepairReply();
          return new RepairReport(r.getExchanges(), r.getKeysCompared(), r.getKeysSent(), r.getKeysReceived(),
              r.getBytesSent(), r.getFailedMap());
        }));
  }

  /**
   * Closes the connections and stops the client's threads; operations in flight fail with {@link
   * StoreClosedException} or the failure they already had. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      transport.close();
    } finally {
      Threads.shutdownAndAwait(executor, Duration.ofSeconds(5), "client " + clientId + " callbacks");
    }
    log.debug("client {} closed", clientId);
  }

  @Override
  public String toString() {
    return "KvClient[" + clientId + (closed.get() ? ", closed]" : "]");
  }

  /** Sends a checked write; {@code value} null is a delete. */
  private CompletableFuture<Context> write(String op, byte[] key, byte[] value, Context context) {
    checkOpen();
    byte[] k = key.clone();
    return router.send(op, k, ClientRequests.write(k, value, context, operations.next(), w, requestTimeout), w)
        .thenApply(ClientRequests::context);
  }

  /** Completes the returned future on the client's threads, so callers' callbacks never run on an event loop. */
  private <T> CompletableFuture<T> handOff(CompletableFuture<T> f) {
    return Futures.completeOn(f, executor);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StoreClosedException("client " + clientId + " is closed; connect a new one");
    }
  }

  /**
   * Configures and connects a {@link KvClient}. Required: {@link #nodes}. Defaults: cluster id {@code
   * kvstore}, N=3, W=2, R=2, request timeout 2 s, 256 virtual nodes per node, keys up to 1 KiB, values up
   * to 1 MiB, client id {@code client-} and a random suffix. N and the virtual nodes must be the cluster's;
   * W and R may differ from the nodes' defaults. Every setter checks its argument at once; {@link
   * #connect()} checks the combination. Not thread-safe.
   */
  public static final class Builder {
    private static final int DEFAULT_THREADS = 4;

    private String clusterId = "kvstore";
    private final Map<String, InetSocketAddress> nodes = new LinkedHashMap<>();
    private int n = 3;
    private int w = 2;
    private int r = 2;
    private Duration requestTimeout = Duration.ofSeconds(2);
    private int vnodes = Ring.DEFAULT_VNODES;
    private int maxKeyBytes = 1024;
    private int maxValueBytes = 1 << 20;
    private int maxSetBytes = LocalStoreBuilder.DEFAULT_MAX_SET_BYTES;
    private String clientId = "client-" + HexFormat.of().formatHex(uuidBytes()).substring(0, 12);
    private ConflictResolver conflictResolver;
    private int threads = DEFAULT_THREADS;
    private TlsConfig tls;

    private Builder() {}

    /**
     * The cluster's id (default {@code kvstore}); nodes of another cluster refuse the client.
     *
     * @throws IllegalArgumentException if it is null, empty or longer than 128 characters
     */
    public Builder clusterId(String id) {
      this.clusterId = Arguments.checkLength("clusterId", id, 1, 128);
      return this;
    }

    /**
     * Every node of the cluster by id, with the address it listens on (required; the ring is built from
     * these ids, so list all of them).
     *
     * @throws IllegalArgumentException if the map is null or empty, or an id or address is null or invalid
     */
    public Builder nodes(Map<String, InetSocketAddress> all) {
      if (all == null || all.isEmpty()) {
        throw new IllegalArgumentException("nodes must name at least one node, got " + all);
      }
      all.forEach((id, address) -> {
        KvStore.local().nodeId(id); // the node id rule
        if (address == null) {
          throw new IllegalArgumentException("nodes: the address of node " + id + " is null");
        }
      });
      nodes.clear();
      nodes.putAll(all);
      return this;
    }

    /**
     * Replicas per key (the cluster's N), write acks and read replies: {@code 1 <= W <= N}, {@code 1 <= R <=
     * N} (default 3, 2, 2).
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Builder replication(int n, int w, int r) {
      Quorum.checkReplication(n, w, r);
      this.n = n;
      this.w = w;
      this.r = r;
      return this;
    }

    /**
     * How long the coordinating node waits for its quorum, 1 ms to 10 minutes (default 2 s); the client
     * gives a node twice as long to answer before it tries the next replica.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Arguments.checkRange("requestTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * Virtual nodes per node on the ring, 1 to 4096 (default 256, as a node's default); must match the
     * nodes'.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder vnodes(int count) {
      this.vnodes = Arguments.checkRange("vnodes", count, 1, Ring.MAX_VNODES);
      return this;
    }

    /**
     * The longest key and value the client sends (default 1 KiB and 1 MiB, as a node's defaults).
     *
     * @throws IllegalArgumentException if a key limit is not in [1, 65535] or a value limit not in [0, 64 MiB]
     */
    public Builder limits(int maxKeyBytes, int maxValueBytes) {
      this.maxKeyBytes = Arguments.checkRange("maxKeyBytes", maxKeyBytes, 1, LocalStoreBuilder.MAX_KEY_LIMIT);
      this.maxValueBytes = Arguments.checkRange("maxValueBytes", maxValueBytes, 0, LocalStoreBuilder.MAX_VALUE_LIMIT);
      return this;
    }

    /**
     * The largest sibling set the client reads, 4 KiB to 256 MiB (default 16 MiB, as a node's default): the
     * nodes' {@link KvNodeBuilder#maxSetBytes}. Sizes the client's frames as a node's.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxSetBytes(int bytes) {
      this.maxSetBytes = Arguments.checkRange("maxSetBytes", bytes, LocalStoreBuilder.SET_OVERHEAD_BYTES,
          LocalStoreBuilder.MAX_SET_LIMIT);
      return this;
    }

    /**
     * The id the client presents to the nodes (default {@code client-} and 12 random hex digits): 1 to 64
     * characters of {@code [A-Za-z0-9_-]}, different from every node id.
     *
     * @throws IllegalArgumentException if it breaks the rule
     */
    public Builder clientId(String id) {
      KvStore.local().nodeId(id);
      this.clientId = id;
      return this;
    }

    /**
     * Resolves siblings at read time.
     *
     * @throws NullPointerException if {@code resolver} is null
     */
    public Builder conflictResolver(ConflictResolver resolver) {
      this.conflictResolver = Objects.requireNonNull(resolver, "conflictResolver");
      return this;
    }

    /**
     * Threads that decode replies and complete the client's futures, 1 to 64 (default 4).
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder threads(int count) {
      this.threads = Arguments.checkRange("threads", count, 1, 64);
      return this;
    }

    /**
     * Connects with mutual TLS 1.3 (default off: plain TCP): the client presents a certificate from the cluster's
     * CA with {@code OU=<cluster id>} and requires the same of every node. See {@link TlsConfig} and
     * docs/security.md. The files are reloaded when they change.
     *
     * @throws NullPointerException if {@code config} is null
     */
    public Builder tls(TlsConfig config) {
      this.tls = Objects.requireNonNull(config, "tls");
      return this;
    }

    /**
     * Connects with mutual TLS using the files {@code kvstore certs} wrote for this client: {@link
     * TlsConfig#fromDirectory}.
     *
     * @throws NullPointerException if {@code dir} is null
     * @throws IllegalArgumentException if {@code dir} or one of its three files is missing
     */
    public Builder tls(java.nio.file.Path dir) {
      return tls(TlsConfig.fromDirectory(dir));
    }

    /**
     * Creates the client; it connects to each node on first use.
     *
     * @throws IllegalArgumentException if no nodes are set, N exceeds their number, the client id is a node id,
     *     or the TLS files cannot be loaded
     * @throws dev.kvstore.core.KvStoreException if the client's transport cannot start
     */
    public KvClient connect() {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("nodes are required: every node of the cluster by id");
      }
      if (n > nodes.size()) {
        throw new IllegalArgumentException("N=" + n + " replicas need at least " + n + " nodes; nodes has "
            + nodes.size());
      }
      if (nodes.containsKey(clientId)) {
        throw new IllegalArgumentException("clientId '" + clientId + "' is also a node id; choose another");
      }
      ExecutorService executor = newExecutor(clientId, threads);
      NettyTransport transport = null;
      try {
        NettyTransportBuilder net = NettyTransport.builder()
            .nodeId(clientId)
            .clusterId(clusterId)
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .peers(nodes)
            .placement(Ring.of(nodes.keySet(), vnodes).placement(n))
            .maxFrameBytes(KvNodeBuilder.frameBytes(maxSetBytes));
        if (tls != null) {
          net.tls(tls.contexts(clusterId));
        }
        transport = net.build();
        String id = clientId;
        transport.serve(request -> CompletableFuture.failedFuture(
            new dev.kvstore.core.InvalidRequestException("client " + id + " serves no requests")));
        transport.start();
        return new KvClient(this, executor, transport);
      } catch (RuntimeException e) {
        if (transport != null) {
          transport.close();
        }
        executor.shutdownNow();
        throw e;
      }
    }

    private static ExecutorService newExecutor(String clientId, int threads) {
      return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          Threads.daemons("kv-client-" + clientId));
    }

    private static byte[] uuidBytes() {
      UUID u = UUID.randomUUID();
      return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
          .putLong(u.getLeastSignificantBits()).array();
    }
  }
}
