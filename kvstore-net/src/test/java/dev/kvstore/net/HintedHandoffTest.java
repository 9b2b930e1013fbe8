package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure detection, sloppy quorum and hinted handoff between three KvNodes on 127.0.0.1 (real sockets,
 * RocksDB, ALWAYS). Heartbeats every 100 ms, so a stopped node is treated as down within about 2 s.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class HintedHandoffTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(IDS, addresses, id -> builder(id, QuorumMode.SLOPPY)));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private KvNodeBuilder builder(String id, QuorumMode mode) {
    return KvNode.builder().nodeId(id).clusterId("hints").dataDirectory(dir.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(2))
        .failureDetection(Duration.ofMillis(100), 8).quorumMode(mode);
  }

  /** Starts {@code id} again on a new port 0 and tells the running nodes where it is. */
  private KvNode start(String id, QuorumMode mode) {
    return PortZeroCluster.restart(id, IDS, addresses, nodes, x -> builder(x, mode));
  }

  private void awaitSeenDown(String node, String... by) {
    await().atMost(Duration.ofSeconds(20)).until(() -> List.of(by).stream().allMatch(b ->
        nodes.get(b).health().peers().stream().anyMatch(p -> p.node().equals(node) && !p.up())));
  }

  @Test
  void aNodeThatWasDownGetsEveryWriteItMissedThroughHintsWithoutAnyRead() {
    nodes.remove("n3").close();
    awaitSeenDown("n3", "n1", "n2");
    for (int i = 0; i < 1000; i++) {
      nodes.get(i % 2 == 0 ? "n1" : "n2").put("key-" + i, "value-" + i);
    }
    long held = nodes.get("n1").health().hintKeysHeld() + nodes.get("n2").health().hintKeysHeld();
    assertThat(held).as("hints held for n3 by the coordinators").isEqualTo(1000);
    assertThat(nodes.get("n1").health().hintsHeld()).containsOnlyKeys("n3");

    KvNode n3 = start("n3", QuorumMode.SLOPPY);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        nodes.get("n1").health().hintKeysHeld() + nodes.get("n2").health().hintKeysHeld() == 0);
    for (int i = 0; i < 1000; i++) {
      assertThat(n3.localVersions("key-" + i).strings()).as("n3's own copy of key-%d", i).containsExactly("value-" + i);
    }
    assertThat(nodes.get("n1").health().hintsDelivered() + nodes.get("n2").health().hintsDelivered()).isEqualTo(1000);
    assertThat(n3.health().peers()).allSatisfy(p -> assertThat(p.up()).isTrue());
  }

  @Test
  void withANodeDownAW3WriteSucceedsThroughAHintUnderSloppyQuorum() {
    nodes.remove("n3").close();
    awaitSeenDown("n3", "n1");
    nodes.get("n1").withQuorum(3, 2).put("sloppy", "x");
    assertThat(nodes.get("n1").health().hintsHeld()).containsOnlyKeys("n3");
    assertThat(nodes.get("n2").get("sloppy").strings()).containsExactly("x");
  }

  @Test
  void withANodeDownAW3WriteFailsUnderStrictQuorumNamingTheDownNode() {
    nodes.remove("n3").close();
    for (String id : List.of("n1", "n2")) {
      nodes.remove(id).close();
      start(id, QuorumMode.STRICT);
    }
    awaitSeenDown("n3", "n1");
    assertThatThrownBy(() -> nodes.get("n1").withQuorum(3, 2).put("strict", "x"))
        .isInstanceOf(InsufficientReplicasException.class)
        .hasMessageContaining("n3")
        .satisfies(e -> assertThat(((InsufficientReplicasException) e).answered()).isEqualTo(2));
    // The replicas that did take the write keep it, and the coordinator holds a hint so n3 gets it too.
    assertThat(nodes.get("n1").health().hintsHeld()).containsOnlyKeys("n3");
  }
}
