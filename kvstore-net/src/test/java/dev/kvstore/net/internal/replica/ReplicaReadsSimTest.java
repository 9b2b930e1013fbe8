package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.client.ClientRouter;
import dev.kvstore.net.internal.client.OperationIds;
import dev.kvstore.net.internal.client.ReplicaReads;
import dev.kvstore.net.internal.client.SuspectNodes;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A remote client's GET ({@link ReplicaReads}) on three simulated nodes, N=3 W=2 R=2, the real coordinators
 * behind the client's {@link ClientRouter}: replicas that agree answer in one hop with no coordinator; replicas
 * that differ, or one that is down, send the GET to a coordinator, which merges and repairs, and the node that
 * failed is tried last.
 */
class ReplicaReadsSimTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Quorum QUORUM = new Quorum(3, 2, 2, TIMEOUT);
  private static final byte[] KEY = bytes("k");

  private final SimulatedNetwork net = SimulatedNetwork.create(7);
  private final Ring ring = Ring.of(NODES);
  private final List<String> replicas = ring.preferenceList(KEY, 3);
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final List<Transport> transports = new ArrayList<>();
  private RecordingTransport client;
  private ClientRouter router;
  private ReplicaReads reads;

  @BeforeEach
  void start() {
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(3)));
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
          .clock(() -> Instant.EPOCH.plus(net.now())).random(new SplittableRandom(id.hashCode())).config());
      locals.put(id, local);
      Transport t = net.transport(id);
      transports.add(t);
      Coordinator c = new Coordinator(id, local, ring, t, net.scheduler(id));
      t.serve(new ReplicaService(id, c, QUORUM));
      t.start();
    }
    client = new RecordingTransport(net.transport("client"));
    transports.add(client);
    client.start();
    router = new ClientRouter(client, ring, 3, TIMEOUT.multipliedBy(2), () -> false,
        new SuspectNodes(SuspectNodes.DEFAULT_PERIOD, () -> net.now().toNanos()));
    reads = new ReplicaReads(client, TIMEOUT, router);
  }

  @AfterEach
  void stop() {
    transports.forEach(Transport::close);
    locals.values().forEach(LocalStore::close);
  }

  @Test
  void replicasThatAgreeAnswerTheClientDirectlyWithNoCoordinator() {
    put("v1");
    net.runFor(Duration.ofSeconds(1)); // the third copy lands too
    client.sent.clear();

    ReplicaReads.Result result = read();

    assertThat(result).isInstanceOf(ReplicaReads.Agreed.class);
    assertThat(values(((ReplicaReads.Agreed) result).set())).containsExactly("v1");
    assertThat(client.sent).as("one Read to each of the first R replicas, no coordinated GET")
        .containsExactlyInAnyOrder("READ->" + replicas.get(0), "READ->" + replicas.get(1));
    assertThat(reads.coordinatedReads()).isZero();
  }

  @Test
  void aKeyNoReplicaHoldsIsAnEmptySetWithoutACoordinator() {
    ReplicaReads.Result result = read();

    assertThat(result).isInstanceOf(ReplicaReads.Agreed.class);
    assertThat(((ReplicaReads.Agreed) result).set().isEmpty()).isTrue();
    assertThat(reads.coordinatedReads()).isZero();
  }

  @Test
  void replicasThatDifferSendTheGetToACoordinatorWhichMergesAndRepairsThem() {
    put("v1");
    net.runFor(Duration.ofSeconds(1));
    // A second version only the first replica holds (its own store's blind write): the first two now differ.
    locals.get(replicas.get(0)).put(KEY, bytes("v2"), Context.empty());
    client.sent.clear();

    ReplicaReads.Result result = read();

    assertThat(result).isInstanceOf(ReplicaReads.Coordinated.class);
    assertThat(ClientRequests.versions(KEY, ((ReplicaReads.Coordinated) result).reply(), null).strings())
        .containsExactlyInAnyOrder("v1", "v2");
    assertThat(client.sent).contains("FORWARD->" + replicas.get(0));
    assertThat(reads.coordinatedReads()).isEqualTo(1);

    net.runFor(Duration.ofSeconds(1)); // the coordinator's read repair lands
    assertThat(values(locals.get(replicas.get(1)).read(KEY))).containsExactlyInAnyOrder("v1", "v2");
    assertThat(read()).as("after the repair the replicas agree again").isInstanceOf(ReplicaReads.Agreed.class);
    assertThat(reads.coordinatedReads()).isEqualTo(1);
  }

  @Test
  void aReplicaThatIsDownSendsTheGetToACoordinatorTryingThatNodeLast() {
    put("v1");
    net.runFor(Duration.ofSeconds(1));
    net.crash(replicas.get(0));
    client.sent.clear();

    ReplicaReads.Result result = read();

    assertThat(result).isInstanceOf(ReplicaReads.Coordinated.class);
    assertThat(ClientRequests.versions(KEY, ((ReplicaReads.Coordinated) result).reply(), null).strings())
        .containsExactly("v1");
    List<String> forwards = client.sent.stream().filter(s -> s.startsWith("FORWARD")).toList();
    assertThat(forwards).as("the coordinated GET goes first to a replica that answered the direct read")
        .containsExactly("FORWARD->" + replicas.get(1));
  }

  @Test
  void aReplicaThatIsSilentDelaysTheGetByAFifthOfTheTimeoutNotAllOfIt() {
    put("v1");
    net.runFor(Duration.ofSeconds(1));
    // The client's link to the second replica loses everything; the nodes still reach each other.
    LinkConfig dead = LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(3)).withDropRate(1.0);
    net.link("client", replicas.get(1), dead);
    net.link(replicas.get(1), "client", dead);
    client.sent.clear();
    Duration start = net.now();

    ReplicaReads.Result result = read();

    Duration took = net.now().minus(start);
    assertThat(result).isInstanceOf(ReplicaReads.Coordinated.class);
    assertThat(ClientRequests.versions(KEY, ((ReplicaReads.Coordinated) result).reply(), null).strings())
        .containsExactly("v1");
    assertThat(took).as("a fifth of the %s timeout, then a coordinator's round trip", TIMEOUT)
        .isLessThan(TIMEOUT.dividedBy(5).plusMillis(40));
    assertThat(client.sent.stream().filter(s -> s.startsWith("FORWARD")).toList())
        .containsExactly("FORWARD->" + replicas.get(0));
  }

  @Test
  void aReplicaThatWasSilentIsLeftOutOfTheNextGetsDirectReadsUntilItsSuspicionEnds() {
    put("v1");
    net.runFor(Duration.ofSeconds(1)); // the third copy lands too
    LinkConfig dead = LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(3)).withDropRate(1.0);
    net.link("client", replicas.get(1), dead);
    net.link(replicas.get(1), "client", dead);
    assertThat(read()).as("the first GET finds the second replica silent").isInstanceOf(ReplicaReads.Coordinated.class);
    client.sent.clear();
    Duration start = net.now();

    ReplicaReads.Result second = read();

    assertThat(net.now().minus(start)).as("no wait for the silent replica").isLessThan(TIMEOUT.dividedBy(5));
    assertThat(second).isInstanceOf(ReplicaReads.Agreed.class);
    assertThat(values(((ReplicaReads.Agreed) second).set())).containsExactly("v1");
    assertThat(client.sent).as("the first R replicas that are not suspect")
        .containsExactlyInAnyOrder("READ->" + replicas.get(0), "READ->" + replicas.get(2));
    assertThat(reads.coordinatedReads()).isEqualTo(1);

    LinkConfig healthy = LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(3));
    net.link("client", replicas.get(1), healthy);
    net.link(replicas.get(1), "client", healthy);
    net.runFor(SuspectNodes.DEFAULT_PERIOD);
    client.sent.clear();

    assertThat(read()).isInstanceOf(ReplicaReads.Agreed.class);
    assertThat(client.sent).as("once its suspicion ends the replica is read again")
        .containsExactlyInAnyOrder("READ->" + replicas.get(0), "READ->" + replicas.get(1));
  }

  @Test
  void aPutWhoseFirstReplicaWasSilentGoesFirstToTheNextReplicaAfterwards() {
    LinkConfig dead = LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(3)).withDropRate(1.0);
    net.link("client", replicas.get(0), dead);
    net.link(replicas.get(0), "client", dead);
    Duration start = net.now();
    put("v1");
    assertThat(net.now().minus(start)).as("the first put waits for the silent replica once")
        .isGreaterThanOrEqualTo(TIMEOUT.multipliedBy(2));
    client.sent.clear();
    start = net.now();

    put("v2");

    assertThat(net.now().minus(start)).as("the second does not wait for it").isLessThan(TIMEOUT);
    assertThat(client.sent.stream().filter(s -> s.startsWith("FORWARD")).toList())
        .containsExactly("FORWARD->" + replicas.get(1));

    net.runFor(SuspectNodes.DEFAULT_PERIOD); // the suspicion's period is over; the replica is still silent
    client.sent.clear();
    List<CompletableFuture<Envelope>> puts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      puts.add(router.send("put", KEY, ClientRequests.write(KEY, bytes("v" + (3 + i)), Context.empty(),
          OperationIds.withClientId("client/sim-" + i).next(), QUORUM.w(), TIMEOUT), QUORUM.w()));
    }
    assertThat(net.runUntil(() -> puts.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(10))).isTrue();
    puts.forEach(CompletableFuture::join);
    assertThat(client.sent.stream().filter(s -> s.equals("FORWARD->" + replicas.get(0))).count())
        .as("of four puts sent together after the period, one probes the silent replica").isEqualTo(1);
  }

  private void put(String value) {
    CompletableFuture<Envelope> put = router.send("put", KEY, ClientRequests.write(KEY, bytes(value),
        Context.empty(), OperationIds.withClientId("client/sim").next(), QUORUM.w(), TIMEOUT), QUORUM.w());
    assertThat(net.runUntil(put::isDone, Duration.ofSeconds(10))).isTrue();
    put.join();
  }

  private ReplicaReads.Result read() {
    CompletableFuture<ReplicaReads.Result> read = reads.read(KEY, 2, ClientRequests.get(KEY, 2, TIMEOUT));
    assertThat(net.runUntil(read::isDone, Duration.ofSeconds(10))).as("the read completes").isTrue();
    return read.join();
  }

  private static List<String> values(DvvSet<StoredValue> set) {
    return set.values().stream().map(v -> new String(v.value(), StandardCharsets.UTF_8)).toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The client's transport, recording each request it sends as {@code BODY->node}. */
  private static final class RecordingTransport extends ForwardingTransport {
    final List<String> sent = new ArrayList<>(); // simulation thread only

    RecordingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
      sent.add(body.getBodyCase() + "->" + to);
      return super.request(to, body, timeout);
    }
  }
}
