package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.LocalStore;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a read picks its replicas, on the simulated network (three nodes, N=3, R=2, reliable 1 ms links, timeout
 * 500 ms): it asks R of them (the coordinator itself first), replaces one that fails, backs up one that is
 * silent well before the timeout, and repairs the stale replicas it asked.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class QuorumReadTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final Quorum QUORUM = new Quorum(3, 2, 2, TIMEOUT);
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

  private SimulatedNetwork net;
  private final Map<String, KvStore> stores = new LinkedHashMap<>();
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final List<Transport> transports = new ArrayList<>();
  // The key's preference list: the coordinator of every read below is its first node.
  private List<String> replicas;

  @BeforeEach
  void startCluster() {
    net = SimulatedNetwork.create(7);
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(1)));
    Ring ring = Ring.of(NODES);
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
          .clock(() -> Instant.EPOCH.plus(net.now())).config());
      locals.put(id, local);
      Transport t = net.transport(id);
      transports.add(t);
      var scheduler = net.scheduler(id);
      Coordinator c = new Coordinator(id, local, ring, t, scheduler);
      t.serve(new ReplicaService(id, c, QUORUM));
      t.start();
      stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
    }
    replicas = ring.preferenceList(KEY, 3);
    CompletableFuture<Context> put = stores.get(replicas.get(0)).putAsync(KEY, bytes("v1"), Context.empty());
    assertThat(net.runUntil(put::isDone, Duration.ofSeconds(5))).isTrue();
    put.join();
    net.runUntilIdle(); // the third replica's ack too
  }

  @AfterEach
  void stopCluster() {
    transports.forEach(Transport::close);
    locals.values().forEach(LocalStore::close);
  }

  @Test
  void aReadAsksItsOwnReplicaAndOneOtherWhenBothAnswer() {
    int before = net.trace().size();
    Versions v = read(replicas.get(0));
    assertThat(v.strings()).containsExactly("v1");
    assertThat(sent("read", before)).as("read requests sent for R=2 on a replica").containsExactly(
        replicas.get(0) + "->" + replicas.get(1));
  }

  @Test
  void aReplicaThatFailsIsReplacedByTheNextOne() {
    net.crash(replicas.get(1));
    int before = net.trace().size();
    Duration start = net.now();
    Versions v = read(replicas.get(0));
    assertThat(v.strings()).containsExactly("v1");
    assertThat(sent("read", before)).as("the refused replica, then the next one").containsExactly(
        replicas.get(0) + "->" + replicas.get(1), replicas.get(0) + "->" + replicas.get(2));
    assertThat(net.now().minus(start)).as("no wait for a timeout").isLessThan(TIMEOUT.dividedBy(5));
  }

  @Test
  void aSilentReplicaIsBackedUpBeforeTheTimeout() {
    net.partition(Set.of(replicas.get(0)), Set.of(replicas.get(1)));
    Duration start = net.now();
    Versions v = read(replicas.get(0));
    assertThat(v.strings()).containsExactly("v1");
    assertThat(net.now().minus(start)).as("answered after the backup (timeout/5), long before the timeout")
        .isGreaterThanOrEqualTo(TIMEOUT.dividedBy(5)).isLessThan(TIMEOUT.dividedBy(2));
  }

  @Test
  void aStaleReplicaThatWasAskedIsRepaired() {
    String stale = replicas.get(1);
    net.crash(stale);
    CompletableFuture<Context> put = stores.get(replicas.get(0)).putAsync(KEY, bytes("v2"));
    assertThat(net.runUntil(put::isDone, Duration.ofSeconds(5))).isTrue();
    put.join();
    net.restart(stale);
    assertThat(locals.get(stale).read(KEY).values()).extracting(s -> new String(s.value(), StandardCharsets.UTF_8))
        .as("the restarted replica missed v2").containsExactly("v1");

    assertThat(read(replicas.get(0)).strings()).containsExactly("v2");
    net.runUntilIdle();
    assertThat(locals.get(stale).read(KEY).values()).extracting(s -> new String(s.value(), StandardCharsets.UTF_8))
        .as("read repair sent it the merge").containsExactly("v2");
  }

  private Versions read(String via) {
    CompletableFuture<Versions> f = stores.get(via).getAsync(KEY);
    assertThat(net.runUntil(f::isDone, Duration.ofSeconds(5))).as("the read completes").isTrue();
    return f.join();
  }

  /** The {@code from->to} pairs of the {@code kind} requests sent since trace line {@code from}. */
  private List<String> sent(String kind, int from) {
    return net.trace().subList(from, net.trace().size()).stream()
        .filter(line -> line.contains(" " + kind + " #") && line.endsWith(" send"))
        .map(line -> line.split(" ")[1])
        .toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
