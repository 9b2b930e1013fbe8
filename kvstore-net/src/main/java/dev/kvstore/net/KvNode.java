package dev.kvstore.net;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.antientropy.AntiEntropy;
import dev.kvstore.net.internal.antientropy.RangeTrees;
import dev.kvstore.net.internal.antientropy.TombstonePurger;
import dev.kvstore.net.internal.health.FailureDetector;
import dev.kvstore.net.internal.hints.HintStore;
import dev.kvstore.net.internal.hints.HintedHandoff;
import dev.kvstore.net.internal.netty.EventLoopScheduler;
import dev.kvstore.net.internal.netty.NettyTransport;
import dev.kvstore.net.internal.netty.NettyTransportBuilder;
import dev.kvstore.net.internal.replica.ClockOffsetGuard;
import dev.kvstore.net.internal.replica.ClusterStore;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.replica.Quorum;
import dev.kvstore.net.internal.replica.ReplicaService;
import dev.kvstore.net.internal.replica.RestoreCheck;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.status.StatusHandler;
import dev.kvstore.net.internal.transport.RealScheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cluster node: the embedding entry point of kvstore-net.
 *
 * <pre>{@code
 * try (KvNode node = KvNode.builder().nodeId("n1").dataDirectory(Path.of("data/n1"))
 *     .listen(new InetSocketAddress("127.0.0.1", 7001))
 *     .peers(Map.of("n1", addr1, "n2", addr2, "n3", addr3)).start()) {
 *   node.put("greeting", "hello");          // replicated to N=3, acknowledged at W=2
 *   Versions v = node.get("greeting");      // read from R=2, merged
 * }
 * }</pre>
 *
 * <p>A node is a {@link KvStore}: any node takes any request; writes are coordinated by a replica of the key
 * (others forward them), go to N replicas and succeed at W durable acks; reads ask R replicas and merge their
 * sibling sets. {@link #withQuorum(int, int)} gives a view with other W and R. Thread-safe.
 */
public final class KvNode implements KvStore {
  private static final Logger log = LoggerFactory.getLogger(KvNode.class);

  private final String nodeId;
  private final LocalStore local;
  private final EventLoopScheduler scheduler;
  private final NettyTransport transport;
  private final ClusterStore store;
  private final Coordinator coordinator;
  private final FailureDetector detector;
  private final HintStore hints;
  private final HintedHandoff handoff;
  private final String clusterId;
  private final Ring ring;
  private final Quorum quorum;
  private final AntiEntropy antiEntropy;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KvNode(String nodeId, LocalStore local, EventLoopScheduler scheduler, NettyTransport transport,
      Coordinator coordinator, Quorum quorum, dev.kvstore.core.ConflictResolver resolver, FailureDetector detector,
      HintStore hints, HintedHandoff handoff, String clusterId, Ring ring, AntiEntropy antiEntropy) {
    this.nodeId = nodeId;
    this.antiEntropy = antiEntropy;
    this.clusterId = clusterId;
    this.ring = ring;
    this.quorum = quorum;
    this.local = local;
    this.scheduler = scheduler;
    this.transport = transport;
    this.coordinator = coordinator;
    this.detector = detector;
    this.hints = hints;
    this.handoff = handoff;
    this.store = new ClusterStore(coordinator, quorum, resolver, closed::get, scheduler.executor());
  }

  /** Starts a builder. */
  public static KvNodeBuilder builder() {
    return new KvNodeBuilder();
  }

  static KvNode start(KvNodeBuilder b) {
    Quorum quorum = new Quorum(b.n, b.w, b.r, b.requestTimeout);
    Ring ring = Ring.of(b.peers.keySet(), b.vnodes);
    LocalStore local = LocalStore.open(b.storeConfig());
    HintStore hints = null;
    EventLoopScheduler scheduler = null;
    NettyTransport transport = null;
    FailureDetector detector = null;
    try {
      RangeTrees trees = null;
      if (b.antiEntropy) {
        trees = new RangeTrees(b.nodeId, ring, b.n, RangeTrees.DEFAULT_BUCKETS);
        trees.rebuild(local); // before the node takes requests, so no write races the scan
        local.addWriteListener(trees);
      }
      hints = HintStore.open(b.hintStoreConfig());
      RestoreCheck restoreCheck = new RestoreCheck(local, hints, othersThan(b.nodeId, b.peers).keySet());
      scheduler = new EventLoopScheduler(RealScheduler.create("kvstore-" + b.nodeId, b.storeThreads));
      NettyTransportBuilder net = NettyTransport.builder()
          .nodeId(b.nodeId)
          .clusterId(b.clusterId)
          .listen(b.listen)
          .peers(othersThan(b.nodeId, b.peers))
          .maxFrameBytes(KvNodeBuilder.frameBytes(b.maxSetBytes))
          .placement(ring.placement(b.n))
          .actorCounters(restoreCheck);
      if (b.tls != null) {
        net.tls(b.tls.contexts(b.clusterId));
      }
      transport = net.build();
      detector = new FailureDetector(b.nodeId, b.peers.keySet(), scheduler, b.detector);
      Transport observed = detector.observe(transport, local::writeRefusal);
      boolean sloppy = b.hintedHandoff && b.quorumMode == QuorumMode.SLOPPY;
      Coordinator coordinator = new Coordinator(b.nodeId, local, ring, observed, scheduler,
          new ClockOffsetGuard(java.time.InstantSource.system(), b.maxClockOffset), detector,
          b.hintedHandoff ? hints : null, sloppy);
      HintedHandoff handoff = new HintedHandoff(b.nodeId, b.peers.keySet(), hints, observed, scheduler, detector,
          b.handoff, System::currentTimeMillis, b.requestTimeout);
      detector.addListener((peer, up) -> {
        if (up) {
          handoff.wake();
        }
      });
      AntiEntropy antiEntropy = trees == null ? null : new AntiEntropy(coordinator, trees, observed, b.requestTimeout,
          b.antiEntropyPacing, java.time.InstantSource.system());
      // Dead keys go once every replica is known to hold them (docs/replication.md, "Tombstones").
      TombstonePurger purger = antiEntropy == null ? null : TombstonePurger.attach(antiEntropy, local, observed,
          b.requestTimeout, TombstonePurger.bound(b.handoff.window(), b.requestTimeout, b.maxClockOffset),
          System::currentTimeMillis, scheduler.executor());
      ReplicaService replicaService = new ReplicaService(b.nodeId, coordinator, quorum);
      // The status handler reads the node, which exists only once the start (restore check included) is over.
      KvNode[] self = new KvNode[1];
      observed.serve(new StatusHandler(antiEntropy == null
          ? AntiEntropy.refusingRepair(b.nodeId, replicaService) : purger.serving(antiEntropy.serving(replicaService)),
          () -> {
            KvNode started = self[0];
            if (started == null) {
              throw new dev.kvstore.core.OverloadedException("node " + b.nodeId + " is still starting; retry shortly");
            }
            return started.status();
          },
          scheduler.executor()));
      transport.start();
      transport.connectAll();
      restoreCheck.awaitPeers(b.restoreCheckTimeout);
      detector.start();
      if (b.hintedHandoff) {
        handoff.start();
      }
      if (antiEntropy != null && !b.antiEntropyInterval.isZero()) {
        antiEntropy.startPeriodic(b.antiEntropyInterval, new java.util.SplittableRandom());
      }
      KvNode node = new KvNode(b.nodeId, local, scheduler, transport, coordinator, quorum, b.conflictResolver,
          detector, hints, handoff, b.clusterId, ring, antiEntropy);
      self[0] = node;
      log.info("node {} of cluster {} listening on {} with {} peers (N={} W={} R={}, {} quorum)",
          b.nodeId, b.clusterId, transport.boundAddress(), b.peers.size() - 1, b.n, b.w, b.r,
          sloppy ? "sloppy" : b.hintedHandoff ? "strict" : "strict, no hinted handoff,");
      return node;
    } catch (RuntimeException e) {
      if (detector != null) {
        detector.close();
      }
      if (transport != null) {
        transport.close();
      }
      if (scheduler != null) {
        scheduler.close();
      }
      if (hints != null) {
        hints.close();
      }
      local.close();
      throw e;
    }
  }

  private static java.util.Map<String, InetSocketAddress> othersThan(String self, java.util.Map<String, InetSocketAddress> all) {
    java.util.Map<String, InetSocketAddress> others = new java.util.LinkedHashMap<>(all);
    others.remove(self);
    return others;
  }

  /** This node's id. */
  public String nodeId() {
    return nodeId;
  }

  /** The address the node listens on (the real port when it was started with port 0). */
  public InetSocketAddress address() {
    return transport.boundAddress();
  }

  /**
   * Points this node at a peer's address, for tests in this package that start nodes on port 0 and learn the
   * addresses only once each node is bound (a connection to the old address is closed).
   */
  void peerAddress(String id, InetSocketAddress address) {
    transport.addPeer(id, address);
  }

  /**
   * Why this node takes no writes, or empty when it does. A node whose write-ahead log failed (an I/O error, a
   * full disk) refuses every write until it is restarted: writes sent to it are answered UNAVAILABLE (clients
   * and coordinators retry them on the next replica, as nothing was applied), writes made through it are
   * forwarded to the key's other replicas, and it still serves reads. A failure detector may treat such a node
   * as down for writes.
   *
   * @return the reason, for example {@code "the write-ahead log failed: No space left on device"}
   */
  public java.util.Optional<String> writeRefusal() {
    return java.util.Optional.ofNullable(local.writeRefusal());
  }

  /**
   * Runs one anti-entropy round now and waits for it: for every replica range this node holds and every other
   * replica of it, compares the two hash trees (roots, then leaves, then the keys of differing buckets) and moves
   * the keys that differ, both sides merging by DVV sync (docs/replication.md, "Anti-entropy"). Every differing
   * bucket is handled; keys move at the node's pace ({@link KvNodeBuilder#antiEntropyPacing}). A peer that cannot
   * be reached is reported in the result, not thrown.
   *
   * @return what the round compared, sent and received
   * @throws dev.kvstore.core.StoreClosedException if the node is closed
   * @throws IllegalStateException if the node was started without {@link KvNodeBuilder#antiEntropy(boolean)}
   */
  public RepairReport repair() {
    if (closed.get()) {
      throw new dev.kvstore.core.StoreClosedException("node " + nodeId + " is closed");
    }
    if (antiEntropy == null) {
      throw new IllegalStateException("node " + nodeId + " keeps no anti-entropy trees; start it with "
          + "KvNodeBuilder.antiEntropy(true) to repair");
    }
    return report(dev.kvstore.core.internal.Futures.joinUninterruptibly(antiEntropy.exchangeWithAll()));
  }

  private static RepairReport report(AntiEntropy.Round round) {
    var e = round.exchanges();
    return new RepairReport(e.size(), e.stream().mapToLong(AntiEntropy.Exchange::keysCompared).sum(),
        e.stream().mapToLong(AntiEntropy.Exchange::keysSent).sum(),
        e.stream().mapToLong(AntiEntropy.Exchange::keysReceived).sum(),
        e.stream().mapToLong(AntiEntropy.Exchange::bytesSent).sum(), round.failed());
  }

  /**
   * This node's status now: identity and incarnation, replication settings, ring share, keys held, log
   * counters and how it sees each peer. Remote callers get the same record through {@link
   * KvClient#status(String)}.
   *
   * @throws dev.kvstore.core.StoreClosedException if the node is closed
   */
  public NodeStatus status() {
    if (closed.get()) {
      throw new dev.kvstore.core.StoreClosedException("node " + nodeId + " is closed");
    }
    var log = local.logStats();
    NodeHealth health = health();
    java.util.Map<String, NodeHealth.Peer> seen = new java.util.HashMap<>();
    health.peers().forEach(p -> seen.put(p.node(), p));
    java.util.List<NodeStatus.PeerStatus> peers = new java.util.ArrayList<>();
    transport.peerStates().forEach((id, state) -> {
      NodeHealth.Peer p = seen.get(id);
      NodeHealth.HeldHints held = health.hintsHeld().get(id);
      peers.add(new NodeStatus.PeerStatus(id, hostPort(state.getKey()), state.getValue(), p == null || p.up(),
          p == null ? 0 : p.phi(), p == null || p.writeRefusal() == null ? "" : p.writeRefusal(),
          held == null ? 0 : held.keys()));
    });
    String refusal = local.writeRefusal();
    return new NodeStatus(nodeId, clusterId, local.incarnation(), hostPort(address()), quorum.n(), quorum.w(),
        quorum.r(), ring.ownership().getOrDefault(nodeId, 0.0), local.approximateKeys(),
        new NodeStatus.LogCounters(log.appends(), log.groups(), log.forces()), peers,
        refusal == null ? "" : refusal, health.hintsDelivered(), health.hintsDropped(), rangeStatuses());
  }

  private java.util.List<NodeStatus.RangeStatus> rangeStatuses() {
    if (antiEntropy == null) {
      return java.util.List.of();
    }
    return antiEntropy.rangeStates().stream().map(r -> new NodeStatus.RangeStatus(r.range(), r.lastPeer(),
        r.lastExchangeMillis() == 0 ? java.util.Optional.empty()
            : java.util.Optional.of(java.time.Instant.ofEpochMilli(r.lastExchangeMillis())),
        r.keysRepaired(), r.bytesSent(), r.inSync())).toList();
  }

  private static String hostPort(InetSocketAddress a) {
    return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
  }

  /** A view of this node whose requests use {@code w} write acks and {@code r} read replies (0 keeps the node's). */
  public KvStore withQuorum(int w, int r) {
    return store.withQuorum(w, r);
  }

  /**
   * The versions this node's own replica holds for {@code key}, without asking any other node: for
   * inspection (a replica that missed writes shows stale data here until it is repaired).
   */
  public Versions localVersions(String key) {
    byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    local.checks().key(k);
    var set = local.read(k);
    return dev.kvstore.core.internal.VersionsView.of(k, set, Context.of(local.contextScope(), set.context()), null);
  }

  /**
   * What this node knows about failures now: each peer as its failure detector sees it (up or down, phi), the
   * hints it holds per node, and the hints delivered and dropped since it started. Counts the hints held by
   * reading them: call it from your own thread, not from a callback of this node's futures.
   */
  public NodeHealth health() {
    java.util.List<NodeHealth.Peer> peers = detector.view().stream()
        .map(p -> new NodeHealth.Peer(p.node(), p.up(), p.phi(), p.writeRefusal())).toList();
    long now = System.currentTimeMillis();
    java.util.Map<String, NodeHealth.HeldHints> held = new java.util.LinkedHashMap<>();
    hints.held().forEach((target, h) -> held.put(target,
        new NodeHealth.HeldHints(h.keys(), java.time.Duration.ofMillis(Math.max(0, now - h.oldestWrittenMillis())))));
    return new NodeHealth(nodeId, peers, held, handoff.delivered(), handoff.dropped());
  }

  @Override
  public CompletableFuture<Versions> getAsync(byte[] key) {
    return store.getAsync(key);
  }

  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context) {
    return store.putAsync(key, value, context);
  }

  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value) {
    return store.putAsync(key, value);
  }

  @Override
  public CompletableFuture<Context> deleteAsync(byte[] key, Context context) {
    return store.deleteAsync(key, context);
  }

  /** Stops the node: refuses new requests, closes the peer connections, then the local store. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (antiEntropy != null) {
        antiEntropy.close();
      }
      handoff.close();
      detector.close();
      coordinator.close();
      transport.close();
    } finally {
      try {
        scheduler.close();
      } finally {
        try {
          hints.close();
        } finally {
          local.close();
        }
      }
    }
    log.info("node {} stopped", nodeId);
  }
}
