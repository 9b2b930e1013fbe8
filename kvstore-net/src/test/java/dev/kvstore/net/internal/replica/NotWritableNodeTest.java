package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.NodeUnavailableException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.OperationId;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.client.ClientRouter;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.ErrorCodes;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose write-ahead log failed steps aside for writes and keeps serving reads: it says why in {@link
 * dev.kvstore.core.internal.Replica#writeRefusal()}, answers a forwarded write with UNAVAILABLE (which a client
 * retries on the next replica as "not applied"), forwards its own users' writes to the other replicas, and still
 * answers reads. Five nodes on the simulated network, N=3 W=2 R=2; the failing replica is a real store behind a
 * {@link RefusingReplica}.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class NotWritableNodeTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofMillis(300));
  private static final byte[] KEY = bytes("k");

  private final SimulatedNetwork net = SimulatedNetwork.create(7);
  private final Ring ring = Ring.of(NODES);
  private final Map<String, KvStore> stores = new LinkedHashMap<>();
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final List<Transport> transports = new ArrayList<>();
  private final String sick = ring.preferenceList(KEY, 3).get(0);
  private RefusingReplica sickReplica;

  @BeforeEach
  void startFiveNodesOneOfThemRefusingWrites() {
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(2)));
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
          .clock(() -> Instant.EPOCH.plus(net.now())).random(new SplittableRandom(id.hashCode())).config());
      locals.put(id, local);
      RefusingReplica replica = new RefusingReplica(local);
      if (id.equals(sick)) {
        sickReplica = replica;
      }
      Transport t = net.transport(id);
      transports.add(t);
      var scheduler = net.scheduler(id);
      Coordinator c = new Coordinator(id, replica, ring, t, scheduler);
      t.serve(new ReplicaService(id, c, QUORUM));
      t.start();
      stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
    }
    sickReplica.failLog("disk full (test)");
  }

  @AfterEach
  void stop() {
    transports.forEach(Transport::close);
    locals.values().forEach(LocalStore::close);
  }

  @Test
  void theNodeSaysWhyItTakesNoWrites() {
    assertThat(sickReplica.writeRefusal()).isEqualTo("the write-ahead log failed: disk full (test)");
  }

  @Test
  void aForwardedWriteIsAnsweredUnavailableAsNotApplied() {
    Transport client = started("client");
    CompletableFuture<Envelope> reply = client.request(sick,
        ClientRequests.write(KEY, bytes("v"), Context.empty(), new OperationId("c/1", 1), 2, Duration.ofMillis(300)),
        Duration.ofSeconds(1));
    net.runUntil(reply::isDone, Duration.ofSeconds(5));

    Throwable failure = ErrorCodes.toPublic(reply.handle((r, e) -> e).join(), false, "client");
    assertThat(failure).isExactlyInstanceOf(NodeUnavailableException.class)
        .hasMessageContaining("takes no writes").hasMessageContaining("disk full (test)");
    assertThat(((NodeUnavailableException) failure).node()).isEqualTo(sick);
    assertThat(((NodeUnavailableException) failure).isRetrySafe()).isTrue();
  }

  @Test
  void aClientWriteGoesAroundTheNodeAndReadsStillAskIt() {
    ClientRouter router = new ClientRouter(started("client"), ring, 3, Duration.ofSeconds(1), () -> false);
    CompletableFuture<Envelope> put = router.send("put", KEY,
        ClientRequests.write(KEY, bytes("around"), Context.empty(), new OperationId("c/1", 1), 2,
            Duration.ofMillis(300)), 2);
    net.runUntil(put::isDone, Duration.ofSeconds(5));
    assertThat(put).as("retried on the next replica").isCompleted();

    assertThat(locals.get(sick).read(KEY).isEmpty()).as("the sick node took no part of the write").isTrue();
    assertThat(read(stores.get(sick)).strings()).as("a read through the sick node").containsExactly("around");
  }

  @Test
  void theNodesOwnUsersWritesAreForwardedToTheOtherReplicas() {
    CompletableFuture<Context> put = stores.get(sick).putAsync(KEY, bytes("via-sick"), Context.empty());
    net.runUntil(put::isDone, Duration.ofSeconds(5));
    assertThat(put).isCompleted();

    for (String replica : ring.preferenceList(KEY, 3)) {
      assertThat(locals.get(replica).read(KEY).size()).as("replica %s", replica)
          .isEqualTo(replica.equals(sick) ? 0 : 1);
    }
  }

  private Versions read(KvStore via) {
    CompletableFuture<Versions> f = via.getAsync(KEY);
    net.runUntil(f::isDone, Duration.ofSeconds(5));
    return f.join();
  }

  private Transport started(String id) {
    Transport t = net.transport(id);
    transports.add(t);
    t.start();
    return t;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
