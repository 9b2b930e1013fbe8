package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.proto.AeKeysRequest;
import dev.kvstore.net.internal.proto.AeLeavesRequest;
import dev.kvstore.net.internal.proto.AeRootsRequest;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.replica.ClusterStore;
import dev.kvstore.net.internal.replica.Quorum;
import dev.kvstore.net.internal.replica.ReplicaService;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anti-entropy among four simulated nodes (N=3, W=2, no hinted handoff), in virtual time: n4 is cut off while
 * the others take writes, and takes a few writes of its own (W=1) that nobody else sees; one exchange of n4 with
 * each peer then makes every replica of every key hold the same set, moving only the keys that differed.
 */
@Timeout(120)
class AntiEntropySimulationTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
  private static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofSeconds(2));
  private static final String CUT = "n4";

  private final SimulatedNetwork net = SimulatedNetwork.create(11);
  private final Ring ring = Ring.of(NODES);
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final Map<String, ClusterStore> stores = new LinkedHashMap<>();
  private final Map<String, AntiEntropy> antiEntropy = new LinkedHashMap<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private void start() {
    start(null);
  }

  /** Starts the nodes, with periodic exchanges every {@code interval} on average unless it is null. */
  private void start(Duration interval) {
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
          .clock(() -> Instant.EPOCH.plus(net.now())).config());
      RangeTrees trees = new RangeTrees(id, ring, QUORUM.n(), RangeTrees.DEFAULT_BUCKETS);
      trees.rebuild(local);
      local.addWriteListener(trees);
      Scheduler scheduler = net.scheduler(id);
      Transport t = net.transport(id);
      Coordinator c = new Coordinator(id, local, ring, t, scheduler);
      AntiEntropy ae = new AntiEntropy(c, trees, t, QUORUM.timeout(), Pacing.DEFAULTS,
          () -> Instant.EPOCH.plus(net.now()));
      t.serve(ae.serving(new ReplicaService(id, c, QUORUM)));
      t.start();
      if (interval != null) {
        ae.startPeriodic(interval, new java.util.SplittableRandom(net.seed() * 31 + id.hashCode()));
      }
      locals.put(id, local);
      antiEntropy.put(id, ae);
      stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
      closeables.addAll(List.of(ae, t, local));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private <T> T run(CompletableFuture<T> f) {
    assertThat(net.runUntil(f::isDone, Duration.ofSeconds(60))).as("done within a virtual minute").isTrue();
    return f.join();
  }

  @Test
  void oneExchangePerPeerMakesEveryReplicaOfEveryKeyEqualAndMovesOnlyWhatDiffered() {
    start();
    for (int i = 0; i < 300; i++) { // before the cut: every replica gets these
      run(stores.get("n1").putAsync(key(i), ("before-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    net.partition(Set.of(CUT), Set.of("n1", "n2", "n3"));
    for (int i = 200; i < 500; i++) { // n4 misses these: overwrites of 100 keys and 200 new keys
      run(stores.get("n1").putAsync(key(i), ("during-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    ClusterStore alone = stores.get(CUT).withQuorum(1, 1);
    int writtenAlone = 0;
    for (int i = 0; i < 100 && writtenAlone < 20; i++) { // n4's own writes nobody else sees
      if (ring.preferenceList(key(i), 3).contains(CUT)) {
        run(alone.putAsync(key(i), ("alone-" + i).getBytes(StandardCharsets.UTF_8)));
        writtenAlone++;
      }
    }
    net.runFor(Duration.ofSeconds(5)); // the Replicates of n4's own writes are still in flight: let them be lost
    net.heal();
    int differing = differingKeys(500);
    assertThat(differing).as("keys whose replicas differ before repair").isGreaterThan(100);

    AntiEntropy.Round round = run(antiEntropy.get(CUT).exchangeWithAll());
    assertThat(round.failed()).isEmpty();
    List<AntiEntropy.Exchange> exchanges = round.exchanges();

    assertThat(differingKeys(500)).as("keys whose replicas differ after repair").isZero();
    long sent = exchanges.stream().mapToLong(AntiEntropy.Exchange::keysSent).sum();
    long received = exchanges.stream().mapToLong(AntiEntropy.Exchange::keysReceived).sum();
    long compared = exchanges.stream().mapToLong(AntiEntropy.Exchange::keysCompared).sum();
    System.out.printf("anti-entropy: %d keys differed; %s%n", differing, exchanges);
    // A key n4 held an old set of (or none) is received once: from the first of its peers exchanged with, after
    // which n4's set equals the other's. A key only n4 wrote is received from both its peers (which hold an older
    // set) and sent back to both.
    assertThat(received).as("keys received").isBetween((long) differing - writtenAlone, (long) differing + writtenAlone);
    assertThat(sent).as("keys sent").isBetween((long) writtenAlone, 2L * writtenAlone);
    assertThat(compared).as("keys compared: not a full scan of the 500 keys").isLessThan(2L * differing);

    Map<String, Instant> inSync = new java.util.concurrent.ConcurrentHashMap<>();
    antiEntropy.get(CUT).addSyncListener((range, peer, asOf) -> inSync.put(range + " " + peer, asOf));
    Instant beforeSecondRound = Instant.EPOCH.plus(net.now());
    for (String node : NODES) { // the trees agree now: a second round finds nothing
      for (AntiEntropy.Exchange e : run(antiEntropy.get(node).exchangeWithAll()).exchanges()) {
        assertThat(e.bucketsDiffering()).as("%s with %s after repair", node, e.peer()).isZero();
        assertThat(e.inSync()).isTrue();
      }
    }
    List<String> expected = new ArrayList<>();
    for (RangeTrees.ReplicaRange r : antiEntropy.get(CUT).trees().ranges()) {
      for (String peer : r.peers()) {
        expected.add(r.id() + " " + peer);
        assertThat(antiEntropy.get(CUT).lastInSync(r.id(), peer)).as("%s with %s", r.id(), peer).isPresent();
      }
    }
    assertThat(inSync).as("every (range, peer) of n4 reported in sync").containsOnlyKeys(expected);
    assertThat(inSync.values()).allSatisfy(t -> assertThat(t).isAfterOrEqualTo(beforeSecondRound));
    assertThat(antiEntropy.get(CUT).rangeStates()).allSatisfy(st -> {
      assertThat(st.inSync()).isTrue();
      assertThat(st.lastExchangeMillis()).isPositive();
      assertThat(st.bytesSent()).isPositive();
    });
    assertThat(antiEntropy.get(CUT).rangeStates().stream().mapToLong(AntiEntropy.RangeState::keysRepaired).sum())
        .as("keys repaired in n4's status").isEqualTo(sent + received);
  }

  @Test
  void periodicExchangesAloneBringEveryReplicaOfEveryKeyToTheSameSet() {
    start(Duration.ofSeconds(1));
    net.partition(Set.of(CUT), Set.of("n1", "n2", "n3"));
    for (int i = 0; i < 300; i++) {
      run(stores.get("n1").putAsync(key(i), ("during-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    net.runFor(Duration.ofSeconds(5));
    assertThat(differingKeys(300)).as("keys whose replicas differ while n4 is cut off").isGreaterThan(150);
    net.heal();
    assertThat(net.runUntil(() -> differingKeys(300) == 0, Duration.ofSeconds(60)))
        .as("every replica of every key equal within a virtual minute of periodic exchanges").isTrue();
  }

  @Test
  void aPeriodicIntervalTooShortIsRefused() {
    start();
    assertThatThrownBy(() -> antiEntropy.get("n1").startPeriodic(Duration.ofNanos(1), new java.util.SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval must be positive");
  }

  @Test
  void requestsFromOutsideARangeOrForUnknownRangesOrBadBucketsAreRefusedAndNoExchangeRunsWithANonPeer() {
    start();
    var handler = antiEntropy.get("n1").serving(request -> {
      throw new AssertionError("not an anti-entropy request: " + request);
    });
    String range = antiEntropy.get("n1").trees().ranges().get(0).id();
    String peer = antiEntropy.get("n1").trees().ranges().get(0).peers().get(0);
    Envelope fromStranger = Envelope.newBuilder().setSender("n9")
        .setAeRootsRequest(AeRootsRequest.newBuilder().addRanges(range)).build();
    assertThatThrownBy(() -> handler.handle(fromStranger)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("shares no replica range '" + range + "' with 'n9'");
    Envelope unknownRange = Envelope.newBuilder().setSender(peer)
        .setAeLeavesRequest(AeLeavesRequest.newBuilder().setRange("n7,n8,n9")).build();
    assertThatThrownBy(() -> handler.handle(unknownRange)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("shares no replica range 'n7,n8,n9'");
    Envelope badBucket = Envelope.newBuilder().setSender(peer)
        .setAeKeysRequest(AeKeysRequest.newBuilder().setRange(range).addBuckets(7).addBuckets(RangeTrees.DEFAULT_BUCKETS))
        .build();
    CompletableFuture<Envelope.Builder> reply = handler.handle(badBucket);
    net.runUntil(reply::isDone, Duration.ofSeconds(1));
    assertThatThrownBy(reply::join).hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("bucket 1024 is out of range 0..1023");
    Envelope twice = Envelope.newBuilder().setSender(peer)
        .setAeKeysRequest(AeKeysRequest.newBuilder().setRange(range).addBuckets(7).addBuckets(7)).build();
    CompletableFuture<Envelope.Builder> reply2 = handler.handle(twice);
    net.runUntil(reply2::isDone, Duration.ofSeconds(1));
    assertThatThrownBy(reply2::join).hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("distinct buckets");
    assertThatThrownBy(() -> antiEntropy.get("n1").exchange("n9")).hasMessageContaining("n9 shares no replica range");
    assertThatThrownBy(() -> antiEntropy.get("n1").exchange("n1")).hasMessageContaining("n1 shares no replica range");
  }

  @Test
  void aPeerThatCannotBeReachedIsReportedAndTheRoundGoesOn() {
    start();
    net.crash("n2");
    AntiEntropy.Round round = run(antiEntropy.get("n1").exchangeWithAll());
    assertThat(round.failed()).containsOnlyKeys("n2");
    assertThat(round.failed().get("n2")).as("a reason a user can read, not an internal class name")
        .contains("n2").doesNotContain("dev.kvstore").doesNotContain("Exception");
    assertThat(round.exchanges()).extracting(AntiEntropy.Exchange::peer).containsOnly("n3", "n4");
  }

  /** The number of keys among key-0 .. key-(count-1) whose three replicas do not all hold the same set. */
  private int differingKeys(int count) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      byte[] k = key(i);
      List<String> replicas = ring.preferenceList(k, 3);
      var first = locals.get(replicas.get(0)).read(k);
      if (replicas.stream().anyMatch(r -> !locals.get(r).read(k).equals(first))) {
        n++;
      }
    }
    return n;
  }
}
