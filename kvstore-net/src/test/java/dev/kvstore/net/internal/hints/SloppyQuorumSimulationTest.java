package dev.kvstore.net.internal.hints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.health.DetectorOptions;
import dev.kvstore.net.internal.health.FailureDetector;
import dev.kvstore.net.internal.replica.ClockOffsetGuard;
import dev.kvstore.net.internal.replica.ClusterStore;
import dev.kvstore.net.internal.replica.Coordinator;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sloppy quorum and hinted handoff among five simulated nodes (N=3, W=3), in virtual time: with one node
 * down, writes to keys it is a home replica of succeed because the next healthy node past the key's home
 * replicas holds a hint; when the node is back, the hints are delivered to it and removed.
 */
class SloppyQuorumSimulationTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Quorum QUORUM = new Quorum(3, 3, 2, Duration.ofSeconds(2));
  private static final String DOWN = "n3";

  private final SimulatedNetwork net = SimulatedNetwork.create(7);
  private final Ring ring = Ring.of(NODES);
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final Map<String, HintStore> hints = new LinkedHashMap<>();
  private final Map<String, KvStore> stores = new LinkedHashMap<>();
  private final Map<String, HintedHandoff> handoffs = new LinkedHashMap<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private void start() {
    start(HandoffOptions.DEFAULTS);
  }

  private void start(HandoffOptions options) {
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
          .clock(() -> Instant.EPOCH.plus(net.now())).config());
      HintStore held = HintStore.open(KvStore.local().inMemory().nodeId(id)
          .clock(() -> Instant.EPOCH.plus(net.now())).config());
      Scheduler scheduler = net.scheduler(id);
      FailureDetector detector = new FailureDetector(id, NODES, scheduler, DetectorOptions.DEFAULTS);
      Transport t = detector.observe(net.transport(id));
      Coordinator c = new Coordinator(id, local, ring, t, scheduler,
          new ClockOffsetGuard(() -> Instant.EPOCH.plus(net.now()), Duration.ofSeconds(60)), detector, held, true);
      HintedHandoff handoff = new HintedHandoff(id, NODES, held, t, scheduler, detector, options,
          () -> net.now().toMillis(), Duration.ofSeconds(2));
      detector.addListener((peer, up) -> {
        if (up) {
          handoff.wake();
        }
      });
      t.serve(new ReplicaService(id, c, QUORUM));
      t.start();
      detector.start();
      handoff.start();
      locals.put(id, local);
      hints.put(id, held);
      handoffs.put(id, handoff);
      stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
      closeables.addAll(List.of(handoff, detector, t, held, local));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void writesToADownNodesKeysSucceedThroughHintsThatAreDeliveredWhenItIsBack() {
    start();
    net.runFor(Duration.ofSeconds(5));
    net.crash(DOWN);
    net.runFor(Duration.ofSeconds(5)); // every detector sees it down

    Map<String, String> written = new LinkedHashMap<>();
    int homedOnDown = 0;
    Map<String, Integer> expectedHeld = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      String key = "key-" + i;
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      List<String> home = ring.preferenceList(k, 3);
      String via = home.stream().filter(n -> !n.equals(DOWN)).findFirst().orElseThrow();
      CompletableFuture<Context> put = stores.get(via).putAsync(k, ("v" + i).getBytes(StandardCharsets.UTF_8));
      assertThat(net.runUntil(put::isDone, Duration.ofSeconds(10))).isTrue();
      assertThat(put).as("W=3 write of %s with %s down (home %s)", key, DOWN, home).isCompleted();
      written.put(key, "v" + i);
      if (home.contains(DOWN)) {
        homedOnDown++;
        String holder = ring.preferenceList(k, NODES.size()).stream()
            .filter(n -> !home.contains(n)).findFirst().orElseThrow();
        expectedHeld.merge(holder, 1, Integer::sum);
      }
    }
    assertThat(homedOnDown).as("keys with %s among their home replicas", DOWN).isGreaterThan(60);
    Map<String, Integer> held = new LinkedHashMap<>();
    hints.forEach((id, store) -> {
      HintStore.Held h = store.held().get(DOWN);
      if (h != null) {
        held.put(id, (int) h.keys());
      }
    });
    assertThat(held).as("hints per holder: the first healthy node past each key's home replicas")
        .isEqualTo(expectedHeld);

    net.restart(DOWN);
    boolean drained = net.runUntil(
        () -> hints.values().stream().allMatch(s -> s.held().isEmpty()), Duration.ofSeconds(60));
    assertThat(drained).as("every hint delivered within a virtual minute of the restart").isTrue();
    written.forEach((key, value) -> {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      if (ring.preferenceList(k, 3).contains(DOWN)) {
        assertThat(locals.get(DOWN).read(k).siblings())
            .as("%s's own copy of %s", DOWN, key).hasSize(1)
            .allSatisfy(s -> assertThat(new String(s.value().value(), StandardCharsets.UTF_8)).isEqualTo(value));
      }
    });
  }

  @Test
  void hintsOlderThanTheWindowAreDroppedNotDelivered() {
    start(HandoffOptions.DEFAULTS.withWindow(Duration.ofSeconds(30)));
    net.runFor(Duration.ofSeconds(5));
    net.crash(DOWN);
    net.runFor(Duration.ofSeconds(5));
    List<byte[]> hinted = new ArrayList<>();
    for (int i = 0; hinted.size() < 20; i++) {
      byte[] k = ("old-" + i).getBytes(StandardCharsets.UTF_8);
      List<String> home = ring.preferenceList(k, 3);
      if (home.contains(DOWN)) {
        String via = home.stream().filter(n -> !n.equals(DOWN)).findFirst().orElseThrow();
        CompletableFuture<Context> put = stores.get(via).putAsync(k, new byte[] {1});
        assertThat(net.runUntil(put::isDone, Duration.ofSeconds(10))).isTrue();
        assertThat(put).isCompleted();
        hinted.add(k);
      }
    }
    net.runFor(Duration.ofSeconds(60)); // longer than the window, the owner still down: nothing is sent
    assertThat(handoffs.values().stream().mapToLong(HintedHandoff::dropped).sum()).isZero();

    net.restart(DOWN);
    boolean emptied = net.runUntil(
        () -> hints.values().stream().allMatch(s -> s.held().isEmpty()), Duration.ofSeconds(30));
    assertThat(emptied).isTrue();
    assertThat(handoffs.values().stream().mapToLong(HintedHandoff::dropped).sum()).isEqualTo(hinted.size());
    assertThat(handoffs.values().stream().mapToLong(HintedHandoff::delivered).sum()).isZero();
    for (byte[] k : hinted) {
      assertThat(locals.get(DOWN).read(k).siblings()).as("an expired hint is not delivered").isEmpty();
    }
  }
}
