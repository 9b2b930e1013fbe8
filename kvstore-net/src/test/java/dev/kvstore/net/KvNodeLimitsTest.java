package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One set of limits on real sockets: the frames of a node are sized from its {@code maxSetBytes}, so a key's set
 * at the limit replicates to every replica and reads back through every node, and a write that would make the set
 * larger is refused before any node logs it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class KvNodeLimitsTest {
  private static final int SET_BYTES = 1536 << 10; // 1.5 MiB: two values of 600 KiB, not three
  private static final int VALUE_BYTES = 600 << 10;

  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private static byte[] value(char c) {
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) c);
    return v;
  }

  @Test
  void aSetAtTheLimitReplicatesAndOneOverItIsRefusedBeforeAnyNodeLogsIt() {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId("limits").dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).maxSetBytes(SET_BYTES)
            .replication(3, 3, 3).requestTimeout(Duration.ofSeconds(10))));
    byte[] key = "big".getBytes(StandardCharsets.UTF_8);
    KvNode n1 = nodes.get("n1");
    n1.put(key, value('a'), Context.empty());
    n1.put(key, value('b'), Context.empty()); // concurrent: two siblings, 1.2 MiB, more than a 1 MiB frame

    for (KvNode node : nodes.values()) {
      assertThat(node.localVersions("big").versions()).as("%s's replica (W=3)", node.nodeId()).hasSize(2);
      assertThat(node.get(key).values()).as("read through %s (R=3)", node.nodeId()).hasSize(2);
    }

    assertThatThrownBy(() -> n1.put(key, value('c'), Context.empty()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("maxSetBytes");
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      for (KvNode node : nodes.values()) {
        assertThat(node.localVersions("big").values()).as("%s after the refused write", node.nodeId())
            .hasSize(2).noneMatch(v -> v[0] == 'c');
      }
    });
  }

  @Test
  void aNodesFramesFollowItsSetLimit() {
    assertThat(KvNodeBuilder.frameBytes(SET_BYTES)).isGreaterThan(SET_BYTES + 65_535);
    assertThatThrownBy(() -> KvNode.builder().maxSetBytes(100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSetBytes must be between");
  }
}
