package dev.kvstore.net.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Context;
import dev.kvstore.net.internal.replica.Quorum;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nodes of a simulated cluster crash, restart on what their disk kept, and lose their disks. */
@Timeout(60)
class SimulatedClusterLifecycleTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private final SimulatedNetwork net = SimulatedNetwork.create(5);
  private SimulatedCluster cluster;

  private SimulatedCluster start() {
    cluster = SimulatedCluster.builder(net).nodes(NODES).quorum(new Quorum(3, 2, 2, Duration.ofMillis(300)))
        .directory(dir).start();
    return cluster;
  }

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aCrashedNodeRestartsWithWhatItForcedUnderANewIncarnation() {
    start();
    put("n1", "v1");
    net.runUntilIdle();
    String before = cluster.localStore("n1").actorId();
    cluster.crash("n1");
    assertThat(cluster.isUp("n1")).isFalse();
    cluster.restart("n1");
    assertThat(values("n1")).containsExactly("v1");
    assertThat(cluster.localStore("n1").actorId()).isNotEqualTo(before).startsWith("n1.");
  }

  @Test
  void aNodeThatLostItsDiskRestartsEmpty() {
    start();
    put("n1", "v1");
    net.runUntilIdle();
    cluster.crash("n2");
    cluster.loseDisk("n2");
    cluster.restart("n2");
    assertThat(values("n2")).isEmpty();
    assertThat(values("n3")).containsExactly("v1");
  }

  @Test
  void aCrashInsideTheNextForceStopsTheNodeBeforeItAcknowledges() {
    net.diskLatency(Duration.ofMillis(2), Duration.ofMillis(2));
    start();
    AtomicLong lost = new AtomicLong(-1);
    cluster.crashDuringNextForce("n1", Duration.ofMillis(50), lost::set);
    CompletableFuture<Context> put = cluster.store("n1").putAsync(KEY, "v1".getBytes(StandardCharsets.UTF_8));
    net.runFor(Duration.ofSeconds(1));
    assertThat(lost.get()).as("the crash happened, inside n1's force").isNotNegative();
    assertThat(cluster.isUp("n1")).isFalse();
    assertThat(put).as("the crashed coordinator never answers its embedded client").isNotDone();
    assertThat(net.trace()).anyMatch(line -> line.contains("in the middle of a force"));
  }

  @Test
  void lifecycleCallsInTheWrongStateAreRefusedAndChangeNothing() {
    start();
    assertThatThrownBy(() -> cluster.restart("n1")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("running");
    assertThatThrownBy(() -> cluster.loseDisk("n1")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("crash node n1");
    assertThatThrownBy(() -> cluster.crash("n9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no node 'n9'");
    cluster.crash("n1");
    assertThatThrownBy(() -> cluster.crash("n1")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("crashed");
    assertThatThrownBy(() -> cluster.store("n1")).isInstanceOf(IllegalStateException.class);
    assertThat(cluster.isUp("n2")).isTrue();
    assertThatThrownBy(() -> SimulatedCluster.builder(net).nodes(List.of("a", "a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    assertThatThrownBy(() -> SimulatedCluster.builder(net).segmentBytes(10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentBytes");
    assertThatThrownBy(() -> SimulatedCluster.builder(net).nodes(NODES).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("directory");
    assertThatThrownBy(() -> net.diskLatency(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minDelay");
    assertThatThrownBy(() -> net.diskLatency(Duration.ofMillis(2), Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
  }

  private void put(String via, String value) {
    CompletableFuture<Context> f = cluster.store(via).putAsync(KEY, value.getBytes(StandardCharsets.UTF_8));
    assertThat(net.runUntil(f::isDone, Duration.ofSeconds(5))).isTrue();
    assertThat(f).isCompleted();
  }

  private List<String> values(String node) {
    return cluster.localStore(node).read(KEY).values().stream()
        .map(v -> new String(v.value(), StandardCharsets.UTF_8)).toList();
  }
}
