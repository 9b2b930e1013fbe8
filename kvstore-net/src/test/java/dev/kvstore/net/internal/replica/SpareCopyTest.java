package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedCluster;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write's copies beyond the W-1 other replicas it waits for are spares: the replica lets a spare wait for a
 * force it makes anyway, or forces it {@link Coordinator#SPARE_FORCE_DELAY} later, and acks it only once durable.
 * Three nodes in virtual time with real logs on simulated disks (a crash loses what was not forced), N=3, strict
 * quorum (no hints), links of 100 us and forces of 200 us.
 */
@Timeout(60)
class SpareCopyTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  private static final Duration SPARE = Coordinator.SPARE_FORCE_DELAY;

  @TempDir Path dir;
  private final SimulatedNetwork net = SimulatedNetwork.create(11);
  private SimulatedCluster cluster;
  private String coordinator;
  private String urgent;
  private String spare;

  private void start(int w) {
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofNanos(100_000)));
    net.diskLatency(Duration.ofNanos(200_000), Duration.ofNanos(200_000));
    cluster = SimulatedCluster.builder(net).nodes(NODES).quorum(new Quorum(3, w, 2, Duration.ofMillis(300)))
        .hintedHandoff(false).directory(dir).start();
    List<String> replicas = cluster.ring().preferenceList(KEY, 3);
    coordinator = replicas.get(0);
    urgent = replicas.get(1);
    spare = replicas.get(2);
  }

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWriteIsAcknowledgedBeforeItsSpareCopyIsForcedAndTheSpareIsForcedWithinItsDelay() {
    start(2);
    Duration began = net.now();
    Duration acked = put("v1");
    assertThat(acked.minus(began)).as("W=2: this node's copy and the urgent replica's, not the spare's")
        .isLessThan(SPARE);

    cluster.crash(spare); // at once: its copy waits for a force
    cluster.restart(spare);
    assertThat(values(spare)).as("the spare had not forced its copy when the write was acknowledged").isEmpty();
    assertThat(values(urgent)).containsExactly("v1");

    Duration second = net.now();
    put("v2");
    net.runFor(SPARE.plusMillis(1));
    assertThat(net.now().minus(second)).isGreaterThan(SPARE);
    cluster.crash(spare);
    cluster.restart(spare);
    assertThat(values(spare)).as("forced within its delay, with nothing else to force it").containsExactly("v2");
  }

  @Test
  void whenTheUrgentReplicaIsDownTheSpareAcknowledgesOnceDurableWithinItsDelay() {
    start(2);
    cluster.crash(urgent);
    Duration began = net.now();
    Duration acked = put("v1");
    assertThat(acked.minus(began)).as("the spare's ack, after its delayed force")
        .isGreaterThanOrEqualTo(SPARE).isLessThan(SPARE.plusMillis(5));

    cluster.crash(spare); // right after the ack: what it acknowledged must be on its disk
    cluster.crash(coordinator);
    cluster.restart(spare);
    assertThat(values(spare)).containsExactly("v1");
  }

  @Test
  void withWEqualToNEveryCopyIsForcedBeforeTheAck() {
    start(3);
    Duration began = net.now();
    Duration acked = put("v1");
    assertThat(acked.minus(began)).isLessThan(SPARE);
    cluster.crash(urgent);
    cluster.crash(spare);
    cluster.restart(urgent);
    cluster.restart(spare);
    assertThat(values(urgent)).containsExactly("v1");
    assertThat(values(spare)).containsExactly("v1");
  }

  /** Puts {@code value} through the coordinator's embedded client; returns the virtual time of its ack. */
  private Duration put(String value) {
    CompletableFuture<Context> put = cluster.store(coordinator).putAsync(KEY, value.getBytes(StandardCharsets.UTF_8));
    net.runUntil(put::isDone, Duration.ofSeconds(1));
    assertThat(put).as("put %s", value).isCompleted();
    return net.now();
  }

  private List<String> values(String node) {
    return cluster.localStore(node).read(KEY).values().stream()
        .map(v -> new String(v.value(), StandardCharsets.UTF_8)).toList();
  }
}
