package dev.kvstore.net.internal.sim;

import dev.kvstore.core.Durability;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.wal.SimulatedDisk;
import dev.kvstore.core.internal.wal.WalOptions;
import dev.kvstore.net.internal.client.OperationIds;
import dev.kvstore.net.internal.antientropy.AntiEntropy;
import dev.kvstore.net.internal.antientropy.Pacing;
import dev.kvstore.net.internal.antientropy.RangeTrees;
import dev.kvstore.net.internal.antientropy.TombstonePurger;
import dev.kvstore.net.internal.health.DetectorOptions;
import dev.kvstore.net.internal.health.FailureDetector;
import dev.kvstore.net.internal.hints.HandoffOptions;
import dev.kvstore.net.internal.hints.HintStore;
import dev.kvstore.net.internal.hints.HintedHandoff;
import dev.kvstore.net.internal.replica.ClockOffsetGuard;
import dev.kvstore.net.internal.replica.ClusterStore;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.replica.Quorum;
import dev.kvstore.net.internal.replica.ReplicaService;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Cluster nodes on a {@link SimulatedNetwork} that run the real local store: a memory engine behind the real
 * write-ahead log, caller-driven on a {@link SimulatedDisk} in the node's directory, so that {@link #crash} loses
 * exactly what the node had not forced (and may tear its log's tail), {@link #restart} recovers from what is left
 * under a new incarnation, and {@link #loseDisk} starts the node over with an empty directory. Each node runs the
 * same {@link Coordinator} and {@link ReplicaService} as a Netty node.
 *
 * <p>Clients use {@link #store}, an embedded client of the node: its futures complete on the node's executor, so
 * an operation in flight when its node crashes never completes, as for a client in the crashed process; a client
 * that wants to go on needs its own timeout.
 *
 * <p>Confined to the simulation's thread, like the network.
 */
public final class SimulatedCluster implements AutoCloseable {
  private final SimulatedNetwork net;
  private final Ring ring;
  private final Quorum quorum;
  private final Path root;
  private final SplittableRandom random;
  private final BiFunction<String, LocalStore, Replica> replicas;
  private final long segmentBytes;
  private final boolean hintedHandoff;
  private final HandoffOptions handoffOptions;
  private final Map<String, Node> nodes = new LinkedHashMap<>();

  /**
   * The disk as one process sees it: once the process crashed it opens no file, so nothing it does after the
   * crash (the rest of the pass a crash inside a force interrupts, which may roll the log to a new segment, or the
   * release of its store) reaches the disk. The disk itself detaches the channels opened before the crash.
   */
  private static final class ProcessDisk implements dev.kvstore.core.internal.wal.ChannelFactory {
    private final SimulatedDisk disk;
    private boolean dead;

    ProcessDisk(SimulatedDisk disk) {
      this.disk = disk;
    }

    void kill() {
      dead = true;
    }

    @Override
    public java.nio.channels.FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException {
      if (dead) {
        throw new IOException("the process that would open " + path.getFileName() + " has crashed");
      }
      return disk.open(path, options);
    }
  }

  /** One node's current process and its disk. */
  private static final class Node {
    SimulatedDisk disk = SimulatedDisk.create();
    ProcessDisk process; // the disk as the current process sees it
    int opens;
    LocalStore store;
    HintStore hints; // null without hinted handoff
    FailureDetector detector; // null without hinted handoff
    HintedHandoff handoff; // null without hinted handoff
    Coordinator coordinator;
    Transport transport;
    ClusterStore client;
    AntiEntropy antiEntropy;
    TombstonePurger purger;
    long hintsDropped; // by the handoffs of earlier processes
  }

  private SimulatedCluster(SimulatedNetwork net, List<String> ids, Quorum quorum, Path root,
      BiFunction<String, LocalStore, Replica> replicas, long segmentBytes, boolean hintedHandoff,
      HandoffOptions handoffOptions) {
    this.hintedHandoff = hintedHandoff;
    this.handoffOptions = handoffOptions;
    this.net = net;
    this.ring = Ring.of(ids);
    this.quorum = quorum;
    this.root = root;
    this.random = new SplittableRandom(net.seed() * 0x9E3779B97F4A7C15L + 1);
    this.replicas = replicas;
    this.segmentBytes = segmentBytes;
  }

  /**
   * Returns a builder of a cluster on {@code net}: name its nodes and its directory, then {@link Builder#start}.
   *
   * @throws NullPointerException if {@code net} is null
   */
  public static Builder builder(SimulatedNetwork net) {
    return new Builder(Objects.requireNonNull(net, "net"));
  }

  /** The options of a simulated cluster; each setter checks its argument. Confined to the simulation thread. */
  public static final class Builder {
    private final SimulatedNetwork net;
    private List<String> ids;
    private Quorum quorum = new Quorum(3, 2, 2, Duration.ofMillis(300));
    private Path root;
    private BiFunction<String, LocalStore, Replica> replicas = (node, store) -> store;
    private long segmentBytes = 64 << 10;
    private boolean hintedHandoff;
    private HandoffOptions handoff = HandoffOptions.DEFAULTS;

    private Builder(SimulatedNetwork net) {
      this.net = net;
    }

    /**
     * The node ids, in start order.
     *
     * @throws IllegalArgumentException if there are none or an id repeats
     */
    public Builder nodes(List<String> nodeIds) {
      if (nodeIds.isEmpty() || Set.copyOf(nodeIds).size() != nodeIds.size()) {
        throw new IllegalArgumentException("nodes must be distinct and at least one, got " + nodeIds);
      }
      this.ids = List.copyOf(nodeIds);
      return this;
    }

    /** The quorum of every node and client (default N=3 W=2 R=2, 300 ms). */
    public Builder quorum(Quorum q) {
      this.quorum = Objects.requireNonNull(q, "quorum");
      return this;
    }

    /** The directory under which each node keeps its disk, one subdirectory per node. */
    public Builder directory(Path directory) {
      this.root = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * What sees each store as it is opened (first start and every restart) and returns the replica its coordinator
     * uses: the store itself (the default), or a decorator of it (a test's observer or fault).
     */
    public Builder replicas(BiFunction<String, LocalStore, Replica> wrap) {
      this.replicas = Objects.requireNonNull(wrap, "replicas");
      return this;
    }

    /**
     * The size of the nodes' log segments (default 64 KiB; small ones exercise segment rolls).
     *
     * @throws IllegalArgumentException if below {@value WalOptions#MIN_SEGMENT_BYTES}
     */
    public Builder segmentBytes(long bytes) {
      if (bytes < WalOptions.MIN_SEGMENT_BYTES) {
        throw new IllegalArgumentException("segmentBytes must be >= " + WalOptions.MIN_SEGMENT_BYTES + ", got "
            + bytes);
      }
      this.segmentBytes = bytes;
      return this;
    }

    /**
     * Gives every node a failure detector and hinted handoff under a sloppy quorum, as a {@code KvNode} has
     * (default off: every peer counts as up and the quorum is strict). The hint store is a simulated store of
     * its own on the node's disk, so a crash keeps exactly the hints that were forced. The detector's
     * heartbeats are periodic: run the network for a time, not until idle.
     */
    public Builder hintedHandoff(boolean on) {
      this.hintedHandoff = on;
      return this;
    }

    /**
     * The hinted handoff options of every node (default {@link HandoffOptions#DEFAULTS}); their window is also
     * what the tombstone rule waits for before a dead key may go (docs/replication.md, "Tombstones").
     */
    public Builder handoff(HandoffOptions options) {
      this.handoff = Objects.requireNonNull(options, "handoff");
      return this;
    }

    /**
     * Starts a node for each id.
     *
     * @throws IllegalStateException if the nodes or the directory are not set
     */
    public SimulatedCluster start() {
      net.checkThread();
      if (ids == null || root == null) {
        throw new IllegalStateException("set nodes(...) and directory(...) before start()");
      }
      SimulatedCluster cluster = new SimulatedCluster(net, ids, quorum, root, replicas, segmentBytes, hintedHandoff,
          handoff);
      for (String id : ids) {
        cluster.nodes.put(id, new Node());
        cluster.open(id);
      }
      return cluster;
    }
  }

  /** The ring every node places keys on. */
  public Ring ring() {
    return ring;
  }

  /** The node ids, in start order. */
  public List<String> nodes() {
    return List.copyOf(nodes.keySet());
  }

  /** Whether {@code node} runs (it is not crashed). */
  public boolean isUp(String node) {
    return node(node).store != null && net.isUp(node);
  }

  /**
   * The client view of {@code node}'s current process, with the cluster's quorum.
   *
   * @throws IllegalStateException if the node is crashed
   */
  public ClusterStore store(String node) {
    return running(node).client;
  }

  /**
   * The local store of {@code node}'s current process, to inspect its replicas.
   *
   * @throws IllegalStateException if the node is crashed
   */
  public LocalStore localStore(String node) {
    return running(node).store;
  }

  /**
   * Crashes {@code node}: the network drops it (timers, messages in flight), its disk loses what was not forced
   * (see {@link SimulatedDisk#crash}), its clients' operations in flight fail as of unknown outcome, and the
   * process's resources are released without any of its late I/O reaching the disk.
   *
   * @return the bytes its log had written but not forced, lost
   * @throws IllegalStateException if the node is not running
   */
  public long crash(String node) {
    Node n = running(node);
    n.disk.disarm();
    n.process.kill();
    net.crash(node);
    long lost;
    try {
      lost = n.disk.crash(random);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot simulate the crash of " + node + "'s disk", e);
    }
    net.note("disk of " + node + " lost " + lost + " unforced bytes");
    release(n);
    return lost;
  }

  /**
   * Crashes {@code node} in the middle of its log's next force: the group being forced is on its disk but not yet
   * durable, so the disk keeps a random prefix of it, maybe torn ({@link SimulatedDisk#crashAtNextForce}), and
   * nothing the node does after the force (acknowledging the group) leaves it. If no force comes within {@code
   * within}, the node crashes then, as {@link #crash} does. Either way {@code crashed} then gets the bytes lost, in
   * an event of its own.
   *
   * @throws IllegalStateException if the node is not running
   */
  public void crashDuringNextForce(String node, Duration within, LongConsumer crashed) {
    Node n = running(node);
    SimulatedDisk disk = n.disk;
    ProcessDisk process = n.process;
    disk.crashAtNextForce(random, lost -> {
      process.kill(); // the rest of the process's pass (a next group, a roll) opens no file
      net.crash(node); // at once, inside the force: whatever the process does after it goes nowhere
      net.note("disk of " + node + " lost " + lost + " unforced bytes in the middle of a force");
      net.scheduler().schedule(Duration.ZERO, () -> {
        release(n);
        crashed.accept(lost);
      });
    });
    net.scheduler().schedule(within, () -> {
      if (disk.disarm() && n.store != null) {
        crashed.accept(crash(node));
      }
    });
  }

  /** Fails the operations of a crashed process and releases its resources; its late I/O reaches no disk. */
  private void release(Node n) {
    closeHandoff(n);
    n.coordinator.close();
    n.store.close(); // its channels are detached: what it still writes goes nowhere
    n.store = null;
    n.coordinator = null;
    n.client = null;
  }

  /**
   * Starts a crashed node again on what its disk kept: the store recovers from its log under a new incarnation,
   * with a new transport.
   *
   * @throws IllegalStateException if the node is running
   */
  public void restart(String node) {
    Node n = node(node);
    if (n.store != null) {
      throw new IllegalStateException("node " + node + " is running, cannot restart it");
    }
    n.transport.close();
    open(node);
  }

  /**
   * Destroys the disk of crashed {@code node}: its directory is emptied, so the next {@link #restart} starts it
   * with no data, under a new incarnation.
   *
   * @throws IllegalStateException if the node is running
   */
  public void loseDisk(String node) {
    Node n = node(node);
    if (n.store != null) {
      throw new IllegalStateException("crash node " + node + " before destroying its disk");
    }
    deleteTree(root.resolve(node));
    n.disk = SimulatedDisk.create();
    net.note("disk of " + node + " destroyed");
  }

  /** Closes every running node (their logs write what is queued) and every transport. */
  @Override
  public void close() {
    for (Map.Entry<String, Node> e : nodes.entrySet()) {
      Node n = e.getValue();
      if (n.store != null) {
        closeHandoff(n);
        n.coordinator.close();
        n.store.close();
        n.store = null;
      }
      if (n.transport != null) {
        n.transport.close();
      }
    }
  }

  private void open(String id) {
    Node n = node(id);
    n.opens++;
    n.process = new ProcessDisk(n.disk);
    WalOptions log = WalOptions.defaults(root.resolve(id), Durability.ALWAYS)
        .withChannelFactory(n.process)
        .withCallerDriven(true)
        .withSegmentBytes(segmentBytes);
    LocalStore store = LocalStore.openSimulated(KvStore.local().inMemory().nodeId(id).contextScope("sim")
        .clock(() -> Instant.EPOCH.plus(net.now()))
        .tombstoneGrace(Duration.ofDays(1))
        .random(new SplittableRandom(random.nextLong()))
        .config(), log);
    Transport transport = net.transport(id);
    Coordinator coordinator;
    if (hintedHandoff) {
      var scheduler = net.scheduler(id);
      WalOptions hintLog = WalOptions.defaults(root.resolve(id).resolve("hints"), Durability.ALWAYS)
          .withChannelFactory(n.process)
          .withCallerDriven(true)
          .withSegmentBytes(segmentBytes);
      n.hints = HintStore.over(LocalStore.openSimulated(KvStore.local().inMemory().nodeId(id)
          .clock(() -> Instant.EPOCH.plus(net.now()))
          .random(new SplittableRandom(random.nextLong()))
          .config(), hintLog));
      n.detector = new FailureDetector(id, ring.nodes(), scheduler, DetectorOptions.DEFAULTS);
      transport = n.detector.observe(transport, store::writeRefusal);
      coordinator = new Coordinator(id, replicas.apply(id, store), ring, transport, scheduler,
          ClockOffsetGuard.systemDefault(), n.detector, n.hints, true);
      n.handoff = new HintedHandoff(id, ring.nodes(), n.hints, transport, scheduler, n.detector,
          handoffOptions, () -> net.now().toMillis(), quorum.timeout());
      HintedHandoff handoff = n.handoff;
      n.detector.addListener((peer, up) -> {
        if (up) {
          handoff.wake();
        }
      });
    } else {
      coordinator = new Coordinator(id, replicas.apply(id, store), ring, transport, net.scheduler(id));
    }
    RangeTrees trees = new RangeTrees(id, ring, quorum.n(), RangeTrees.DEFAULT_BUCKETS);
    store.addWriteListener(trees);
    trees.rebuild(store);
    n.antiEntropy = new AntiEntropy(coordinator, trees, transport, quorum.timeout(), Pacing.DEFAULTS,
        () -> Instant.EPOCH.plus(net.now()));
    // The nodes share one virtual clock: no offset between them.
    n.purger = TombstonePurger.attach(n.antiEntropy, store, transport, quorum.timeout(),
        TombstonePurger.bound(handoffOptions.window(), quorum.timeout(), Duration.ZERO), () -> net.now().toMillis(),
        net.scheduler(id).executor());
    transport.serve(n.purger.serving(n.antiEntropy.serving(new ReplicaService(id, coordinator, quorum))));
    transport.start();
    if (hintedHandoff) {
      n.detector.start();
      n.handoff.start();
    }
    n.store = store;
    n.coordinator = coordinator;
    n.transport = transport;
    // Operation ids from the seed, not from the system's random source, so a seed replays exactly.
    n.client = new ClusterStore(coordinator, quorum, null, () -> n.coordinator != coordinator,
        net.scheduler(id).executor(),
        OperationIds.withClientId(id + "/" + Long.toHexString(random.nextLong())));
    net.note("open " + id + " as " + store.actorId());
  }

  private static void closeHandoff(Node n) {
    if (n.handoff != null) {
      n.hintsDropped += n.handoff.dropped();
      n.handoff.close();
      n.detector.close();
      n.hints.close();
      n.handoff = null;
      n.detector = null;
      n.hints = null;
    }
  }

  /**
   * Starts one anti-entropy round of running node {@code node}: an exchange with each other node in turn
   * (docs/replication.md, "Anti-entropy"); drive the network until it completes.
   *
   * @throws IllegalArgumentException if there is no such node
   * @throws IllegalStateException if it is crashed
   */
  public CompletableFuture<AntiEntropy.Round> antiEntropyRound(String node) {
    return running(node).antiEntropy.exchangeWithAll();
  }

  /**
   * Starts one anti-entropy exchange of running node {@code node} with {@code peer}; drive the network until it
   * completes (one result per range they share). Dead keys the exchange finds in sync with every replica are
   * purged after it.
   *
   * @throws IllegalArgumentException if there is no such node or {@code peer} is not a peer of it
   * @throws IllegalStateException if it is crashed
   */
  public CompletableFuture<List<AntiEntropy.Exchange>> antiEntropyExchange(String node, String peer) {
    return running(node).antiEntropy.exchange(peer);
  }

  /** Hints held by the running nodes, for all targets together (0 without hinted handoff). */
  public long hintsHeld() {
    long held = 0;
    for (Node n : nodes.values()) {
      if (n.hints != null) {
        held += n.hints.held().values().stream().mapToLong(HintStore.Held::keys).sum();
      }
    }
    return held;
  }

  /** Hints dropped for being older than the hint window, by every process of every node so far. */
  public long hintsDropped() {
    long dropped = 0;
    for (Node n : nodes.values()) {
      dropped += n.hintsDropped + (n.handoff != null ? n.handoff.dropped() : 0);
    }
    return dropped;
  }

  private Node node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node '" + id + "' in " + nodes.keySet());
    }
    return n;
  }

  private Node running(String id) {
    Node n = node(id);
    if (n.store == null) {
      throw new IllegalStateException("node " + id + " is crashed");
    }
    return n;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new StorageException("cannot destroy the simulated disk in " + dir + ": " + e.getMessage(), e);
    }
  }
}
