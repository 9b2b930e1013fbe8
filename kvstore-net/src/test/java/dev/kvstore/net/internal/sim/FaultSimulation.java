package dev.kvstore.net.internal.sim;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.antientropy.AntiEntropy;
import dev.kvstore.net.internal.replica.ClusterStore;
import dev.kvstore.net.internal.hints.HandoffOptions;
import dev.kvstore.net.internal.replica.Quorum;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One seeded run of the fault simulation: five nodes running the real local store on simulated disks (N=3 W=2
 * R=2), four clients reading, writing with a read context, with an empty context, overwriting without one, and
 * deleting, for {@value #WORKLOAD_MILLIS} ms of virtual time under random link delays (reordering), drops,
 * duplicates, partitions, crashes and restarts (each crash loses what its node had not forced; some outages outlast
 * the hint window, so their hints are dropped), and at most one node losing its disk; random anti-entropy
 * exchanges run all along, and dead keys are purged under the tombstone rule. Then {@value #READ_TAIL_MILLIS} ms in
 * which clients only read while exchanges and purges go on, then {@link #heal}, and the replicas' final sets are
 * kept for the checker.
 */
final class FaultSimulation {
  static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5");
  static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofMillis(300));
  static final long WORKLOAD_MILLIS = 2500;
  /**
   * Short, so that some hints are dropped (a node down longer than this) and so that tombstones of the first
   * second are old enough to be purged (hint window + 2 timeouts = 1.6 s) while clients still read their keys.
   */
  static final Duration HINT_WINDOW = Duration.ofSeconds(1);
  /**
   * After the workload, clients only read for this long while exchanges go on (and the nodes still down come
   * back): deleted keys stay dead long enough to be purged, and reads race the purges, hints and read repairs.
   */
  static final long READ_TAIL_MILLIS = 1500;
  /** Anti-entropy exchanges during the workload: one every this many ms on average, random node and peer. */
  private static final long EXCHANGE_EVERY_MILLIS = 150;
  /** Rounds of anti-entropy on every node at heal before the replicas must be equal. */
  static final int HEAL_ROUNDS = 3;
  private static final int CLIENTS = 4;
  private static final int MAX_DOWN = 2;
  private static final long CLIENT_TIMEOUT_MILLIS = 2000;

  final long seed;
  final SimulatedNetwork net;
  final SimulatedCluster cluster;
  final SimHistory history = new SimHistory();
  /** Keys whose replicas differed when the faults had healed and the nodes were back, before read repair. */
  final Set<String> neededRepair = new TreeSet<>(); // keys whose replicas still differed after hints drained
  /** Keys whose replicas still differed after {@value #HEAL_ROUNDS} anti-entropy rounds on every node (expected: none). */
  final Set<String> differedAfterAntiEntropy = new TreeSet<>();
  /** Keys whose replicas differed after the first round on every node (a purge racing the round). */
  final Set<String> differedAfterOneRound = new TreeSet<>();
  long hintsDropped; // hints dropped for being older than the window
  int exchangesDuringWorkload; // anti-entropy exchanges that completed while clients ran
  long antiEntropyKeysMoved; // keys sent plus keys received by the anti-entropy rounds
  long hintsLeft; // hints still held after the drain (0 unless delivery could not finish)
  /** Per key written, per replica of its preference list, the set held after heal. */
  final Map<String, Map<String, DvvSet<StoredValue>>> finalSets = new LinkedHashMap<>();
  /** Per key, what the final R=N read returned. */
  final Map<String, List<String>> finalReads = new LinkedHashMap<>();
  int crashes;
  int diskLosses;
  int partitions;
  long unforcedBytesLost;

  private final SplittableRandom rng;
  private final Map<String, Map<String, Context>> contexts = new HashMap<>();
  private int pending;
  private int values;

  private FaultSimulation(long seed, Path dir, Consumer<FaultSimulation> faults) {
    this.seed = seed;
    this.net = SimulatedNetwork.create(seed);
    this.rng = new SplittableRandom(seed * 1_000_003L + 17);
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(2 + rng.nextInt(30)))
        .withDropRate(rng.nextDouble(0.05)).withDuplicateRate(rng.nextDouble(0.05)));
    net.diskLatency(Duration.ofMillis(0), Duration.ofMillis(1 + rng.nextInt(4)));
    this.cluster = SimulatedCluster.builder(net).nodes(NODES).quorum(QUORUM).directory(dir).segmentBytes(8 << 10)
        .hintedHandoff(true).handoff(new HandoffOptions(HINT_WINDOW, Duration.ofMillis(100), 128))
        .replicas((node, store) -> {
          store.addChangeListener((key, set) -> {
            if (net.isUp(node)) { // not a process that crashed in the middle of this force
              history.observe(node, key, set);
              if (set.context().isEmpty()) {
                history.purged(node, key, net.nanoTime());
              }
            }
          });
          return store;
        }).start();
    faults.accept(this);
  }

  /** Runs seed {@code seed} with random faults in directory {@code dir}; the cluster is closed when it returns. */
  static FaultSimulation run(long seed, Path dir) {
    return run(seed, dir, FaultSimulation::randomFaults, true);
  }

  /**
   * Runs a seed with the faults {@code faults} schedules (on the network's scheduler), with or without the
   * random clients; heals; closes the cluster.
   */
  static FaultSimulation run(long seed, Path dir, Consumer<FaultSimulation> faults, boolean clients) {
    FaultSimulation sim = new FaultSimulation(seed, dir, faults);
    try {
      if (clients) {
        for (int c = 1; c <= CLIENTS; c++) {
          String client = "c" + c;
          sim.later(sim.rng.nextLong(0, 20), () -> sim.clientStep(client));
        }
        sim.later(sim.rng.nextLong(0, 2 * EXCHANGE_EVERY_MILLIS), sim::exchangeStep);
      }
      sim.net.runFor(Duration.ofMillis(WORKLOAD_MILLIS + (clients ? READ_TAIL_MILLIS : 0)));
      sim.settle();
      sim.heal();
      return sim;
    } finally {
      sim.cluster.close();
    }
  }

  // ---- faults

  private static void randomFaults(FaultSimulation sim) {
    SplittableRandom rng = sim.rng;
    int crashEpisodes = 1 + rng.nextInt(3);
    boolean loseOneDisk = rng.nextInt(3) > 0;
    for (int i = 0; i < crashEpisodes; i++) {
      boolean loseDisk = loseOneDisk && i == 0;
      boolean powerCut = !loseDisk && rng.nextInt(3) == 0;
      // Longer than the hint window (its hints are dropped) only in seeds where no disk is lost: a write whose
      // second copy was a dropped hint has one copy left, and losing that disk too is beyond what W=2 promises.
      long downFor = !loseOneDisk && rng.nextBoolean() ? rng.nextLong(1200, 2000) : rng.nextLong(20, 700);
      sim.later(rng.nextLong(0, WORKLOAD_MILLIS), () -> {
        if (powerCut) {
          sim.powerCut(downFor);
        } else {
          sim.crashEpisode(loseDisk, downFor);
        }
      });
    }
    int partitionEpisodes = rng.nextInt(3);
    for (int i = 0; i < partitionEpisodes; i++) {
      long lasting = rng.nextLong(50, 600);
      sim.later(rng.nextLong(0, WORKLOAD_MILLIS), () -> sim.partitionEpisode(lasting));
    }
  }

  private void crashEpisode(boolean loseDisk, long downForMillis) {
    List<String> up = upNodes();
    if (NODES.size() - up.size() >= MAX_DOWN) {
      history.fault(net.nanoTime(), "(crash skipped: " + MAX_DOWN + " nodes are down)");
      return;
    }
    String node = up.get(rng.nextInt(up.size()));
    java.util.function.LongConsumer then = lost -> {
      crashes++;
      unforcedBytesLost += lost;
      history.fault(net.nanoTime(), "crash " + node + " (" + lost + " unforced log bytes lost)");
      if (loseDisk) {
        loseDisk(node);
      }
      later(downForMillis, () -> {
        if (!cluster.isUp(node)) {
          restart(node);
        }
      });
    };
    if (rng.nextBoolean()) {
      cluster.crashDuringNextForce(node, Duration.ofMillis(20), then);
    } else {
      then.accept(cluster.crash(node));
    }
  }

  /** Two nodes lose power at the same instant (when no other node is down), each keeping what it had forced. */
  private void powerCut(long downForMillis) {
    List<String> up = new ArrayList<>(upNodes());
    if (NODES.size() - up.size() > 0) {
      history.fault(net.nanoTime(), "(power cut skipped: a node is down)");
      return;
    }
    for (int i = 0; i < 2; i++) {
      String node = up.remove(rng.nextInt(up.size()));
      crash(node);
      later(downForMillis, () -> {
        if (!cluster.isUp(node)) {
          restart(node);
        }
      });
    }
  }

  private void partitionEpisode(long lastingMillis) {
    List<String> shuffled = new ArrayList<>(NODES);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      java.util.Collections.swap(shuffled, i, rng.nextInt(i + 1));
    }
    Set<String> side = new TreeSet<>(shuffled.subList(0, 1 + rng.nextInt(2)));
    Set<String> rest = new TreeSet<>(NODES);
    rest.removeAll(side);
    net.partition(side, rest);
    partitions++;
    history.fault(net.nanoTime(), "partition " + side + " | " + rest);
    later(lastingMillis, () -> {
      net.heal();
      history.fault(net.nanoTime(), "partitions healed");
    });
  }

  void crash(String node) {
    long lost = cluster.crash(node);
    crashes++;
    unforcedBytesLost += lost;
    history.fault(net.nanoTime(), "crash " + node + " (" + lost + " unforced log bytes lost)");
  }

  void loseDisk(String node) {
    cluster.loseDisk(node);
    diskLosses++;
    history.fault(net.nanoTime(), "disk of " + node + " destroyed");
  }

  void restart(String node) {
    cluster.restart(node);
    history.fault(net.nanoTime(), "restart " + node + " as " + cluster.localStore(node).actorId());
  }

  void later(long millis, Runnable action) {
    net.scheduler().schedule(Duration.ofMillis(millis), action);
  }

  private List<String> upNodes() {
    return NODES.stream().filter(cluster::isUp).toList();
  }

  /** One anti-entropy exchange of a random running node with a random running peer, then the next one later. */
  private void exchangeStep() {
    if (net.nanoTime() >= (WORKLOAD_MILLIS + READ_TAIL_MILLIS) * 1_000_000L) {
      return;
    }
    List<String> up = upNodes();
    if (up.size() >= 2) {
      String node = up.get(rng.nextInt(up.size()));
      List<String> peers = up.stream().filter(p -> !p.equals(node)).toList();
      cluster.antiEntropyExchange(node, peers.get(rng.nextInt(peers.size()))).whenComplete((e, failure) -> {
        if (failure == null) {
          exchangesDuringWorkload++;
        }
      });
    }
    boolean tail = net.nanoTime() >= WORKLOAD_MILLIS * 1_000_000L; // more often: purges race the reads
    later(rng.nextLong(0, 2 * EXCHANGE_EVERY_MILLIS / (tail ? 4 : 1)), this::exchangeStep);
  }

  // ---- clients

  private void clientStep(String client) {
    if (net.nanoTime() >= (WORKLOAD_MILLIS + READ_TAIL_MILLIS) * 1_000_000L) {
      return;
    }
    boolean readOnly = net.nanoTime() >= WORKLOAD_MILLIS * 1_000_000L;
    String key = KEYS.get(rng.nextInt(KEYS.size()));
    Context ctx = contexts.computeIfAbsent(client, c -> new HashMap<>()).get(key);
    int r = rng.nextInt(100);
    SimHistory.Kind kind = r < 30 ? SimHistory.Kind.GET
        : r < 55 ? SimHistory.Kind.PUT_WITH_CONTEXT
        : r < 70 ? SimHistory.Kind.PUT_EMPTY_CONTEXT
        : r < 80 ? SimHistory.Kind.PUT_OVERWRITE
        : SimHistory.Kind.DELETE;
    if (readOnly || (kind == SimHistory.Kind.PUT_WITH_CONTEXT || kind == SimHistory.Kind.DELETE) && ctx == null) {
      kind = SimHistory.Kind.GET;
    }
    List<String> up = upNodes();
    String via = up.get(rng.nextInt(up.size()));
    long pause = readOnly ? 60 : 20; // the tail's reads are fewer: those after a purge are what it is for
    submit(client, key, kind, ctx, via).whenComplete((x, e) -> later(rng.nextLong(0, pause), () -> clientStep(client)));
  }

  /**
   * Starts one client operation through {@code via} and records it; the returned future completes (on the
   * simulation thread) once the outcome is recorded.
   */
  CompletableFuture<Void> submit(String client, String key, SimHistory.Kind kind, Context ctx, String via) {
    String value = kind.isPut() ? key + "." + client + "." + (++values) : null;
    Context passed = switch (kind) {
      case PUT_WITH_CONTEXT, DELETE -> ctx;
      case PUT_EMPTY_CONTEXT -> Context.empty();
      default -> null;
    };
    SimHistory.Op op = history.start(client, key, kind, value, passed == null ? null : passed.clock(), via,
        net.nanoTime());
    ClusterStore store = cluster.store(via);
    byte[] k = bytes(key);
    CompletableFuture<?> f;
    try {
      f = switch (kind) {
        case GET -> store.getAsync(k);
        case PUT_WITH_CONTEXT, PUT_EMPTY_CONTEXT -> store.putAsync(k, bytes(value), passed);
        case PUT_OVERWRITE -> store.putAsync(k, bytes(value));
        case DELETE -> store.deleteAsync(k, passed);
      };
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    pending++;
    CompletableFuture<Void> done = new CompletableFuture<>();
    f.whenComplete((result, failure) -> {
      if (!done.isDone()) {
        pending--;
        finish(op, result, failure);
        done.complete(null);
      }
    });
    later(CLIENT_TIMEOUT_MILLIS, () -> { // the node crashed with the operation in flight: no answer ever comes
      if (!done.isDone()) {
        pending--;
        op.end = net.nanoTime();
        op.outcome = SimHistory.Outcome.UNKNOWN;
        op.detail = "no answer within " + CLIENT_TIMEOUT_MILLIS + " ms";
        contexts.getOrDefault(client, new HashMap<>()).remove(key);
        done.complete(null);
      }
    });
    return done;
  }

  private void finish(SimHistory.Op op, Object result, Throwable failure) {
    op.end = net.nanoTime();
    Map<String, Context> mine = contexts.computeIfAbsent(op.client, c -> new HashMap<>());
    if (failure != null) {
      RuntimeException cause = Futures.unwrap(failure);
      op.outcome = cause instanceof StoreClosedException ? SimHistory.Outcome.UNKNOWN : SimHistory.Outcome.FAILED;
      op.detail = cause.getClass().getSimpleName();
      mine.remove(op.key);
      return;
    }
    op.outcome = SimHistory.Outcome.OK;
    if (result instanceof Versions v) {
      op.read = v.strings().stream().sorted().toList();
      mine.put(op.key, v.context());
    } else {
      mine.put(op.key, (Context) result);
    }
  }

  /** The context {@code client} last got for {@code key} (from a read or a write), or null. */
  Context contextOf(String client, String key) {
    return contexts.getOrDefault(client, Map.of()).get(key);
  }

  /** Runs until every client operation has its outcome (each has a timeout, or fails when its node crashes). */
  void settle() {
    if (!net.runUntil(() -> pending == 0, Duration.ofSeconds(60))) {
      throw new AssertionError("seed " + seed + ": " + pending + " client operations never completed");
    }
  }

  // ---- heal

  /**
   * Ends every fault and brings the replicas together: the network heals and becomes reliable, every crashed
   * node restarts (on what its disk kept), hints drain, every tombstone grows older than the purge bound, rounds
   * of anti-entropy on every node (at most {@value #HEAL_ROUNDS}, until every replica of every key holds the same
   * set; dead keys are purged after them), and read repair makes every replica of every key written hold the
   * merge of all of them.
   */
  void heal() {
    net.heal();
    net.linkDefaults(LinkConfig.RELIABLE);
    history.fault(net.nanoTime(), "heal: network reliable, every node up");
    for (String node : NODES) {
      if (!cluster.isUp(node)) {
        restart(node);
      }
    }
    drainHints();
    net.runFor(TOMBSTONES_AGE); // every tombstone is now older than the purge bound
    repair();
  }

  /** Hint window plus twice the request timeout: the age past which the tombstone rule may purge. */
  private static final Duration TOMBSTONES_AGE = HINT_WINDOW.plus(QUORUM.timeout().multipliedBy(2));

  /**
   * Hinted handoff delivers what it holds: runs until no node holds a hint (the detectors see the restarted
   * nodes up at their first answer; delivery rounds run every second), at most a virtual minute.
   */
  void drainHints() {
    for (int i = 0; i < 600 && cluster.hintsHeld() > 0; i++) {
      net.runFor(Duration.ofMillis(100));
    }
    hintsLeft = cluster.hintsHeld();
    hintsDropped = cluster.hintsDropped();
  }

  /**
   * Runs anti-entropy rounds on every node (docs/replication.md, "Anti-entropy") until no key differs, at most
   * {@value #HEAL_ROUNDS}, and notes which keys still differ; then reads every key written with R=N through a replica of it, so read repair sends the merge to every
   * replica that lacks it, and keeps each replica's final set. Notes which keys needed repair.
   */
  void repair() {
    Set<String> keys = new TreeSet<>();
    history.ops.forEach(o -> keys.add(o.key));
    history.versions.keySet().forEach(keys::add);
    for (String key : keys) {
      if (new HashSet<>(replicaSets(key).values()).size() > 1) {
        neededRepair.add(key);
      }
    }
    for (int r = 1; r <= HEAL_ROUNDS; r++) {
      for (String node : NODES) {
        CompletableFuture<AntiEntropy.Round> round = cluster.antiEntropyRound(node);
        net.runUntil(round::isDone, Duration.ofSeconds(60));
        if (!round.isDone() || !round.join().failed().isEmpty()) {
          throw new AssertionError("seed " + seed + ": the anti-entropy round of " + node + " did not complete on "
              + "a healed network: " + (round.isDone() ? round.join().failed() : "still running"));
        }
        round.join().exchanges().forEach(e -> antiEntropyKeysMoved += e.keysSent() + e.keysReceived());
      }
      net.runFor(Duration.ofSeconds(1)); // the last Replicates and purges land
      differedAfterAntiEntropy.clear();
      for (String key : keys) {
        if (new HashSet<>(replicaSets(key).values()).size() > 1) {
          differedAfterAntiEntropy.add(key);
        }
      }
      if (r == 1) {
        differedAfterOneRound.addAll(differedAfterAntiEntropy);
      }
      if (differedAfterAntiEntropy.isEmpty()) {
        break;
      }
    }
    for (String key : keys) {
      finalReads.put(key, readAll(key));
    }
    net.runFor(Duration.ofSeconds(5)); // the repairs land (heartbeats never stop, so not until idle)
    for (String key : keys) {
      finalSets.put(key, replicaSets(key));
    }
  }

  private List<String> readAll(String key) {
    String first = cluster.ring().preferenceList(bytes(key), QUORUM.n()).get(0);
    ClusterStore all = cluster.store(first).withQuorum(0, QUORUM.n());
    for (int attempt = 0; attempt < 5; attempt++) {
      CompletableFuture<Versions> f = all.getAsync(bytes(key));
      net.runUntil(f::isDone, Duration.ofSeconds(10));
      if (f.isDone() && !f.isCompletedExceptionally()) {
        return f.join().strings().stream().sorted().toList();
      }
    }
    throw new AssertionError("seed " + seed + ": the R=N read of " + key + " failed 5 times on a healed network");
  }

  Map<String, DvvSet<StoredValue>> replicaSets(String key) {
    Map<String, DvvSet<StoredValue>> sets = new LinkedHashMap<>();
    for (String node : cluster.ring().preferenceList(bytes(key), QUORUM.n())) {
      sets.put(node, cluster.localStore(node).read(bytes(key)));
    }
    return sets;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
