package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
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
 * The tombstone rule end to end on three KvNodes on 127.0.0.1 (real sockets, RocksDB, ALWAYS, anti-entropy on,
 * hint window 1 s, so the purge bound is about 2 s): after a delete, repairs find every replica in sync, and once
 * the tombstone is older than the bound the key's record goes from all three nodes (one removes it and asks the
 * others by PurgeRequest), while a key that was not deleted stays.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class TombstonePurgeTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(IDS, addresses, id -> KvNode.builder().nodeId(id).clusterId("tomb")
        .dataDirectory(dir.resolve(id)).engine(EngineType.ROCKSDB).durability(Durability.ALWAYS)
        .requestTimeout(Duration.ofMillis(500)).maxClockOffset(Duration.ofMillis(100)).hintWindow(Duration.ofSeconds(1))
        .antiEntropy(true).antiEntropyInterval(Duration.ZERO)));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  @Test
  void aDeletedKeyGoesFromEveryNodeOnceEveryReplicaHoldsItsTombstoneAndItIsOlderThanTheBound() {
    KvNode n1 = nodes.get("n1");
    n1.put("kept", "v");
    n1.put("gone", "v");
    Context deleted = n1.delete("gone", n1.get("gone").context());
    assertThat(deleted.isEmpty()).isFalse();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (KvNode node : nodes.values()) {
        assertThat(node.localVersions("gone").context().isEmpty()).as("%s holds the tombstone", node.nodeId())
            .isFalse();
      }
    });

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      nodes.values().forEach(KvNode::repair); // exchanges: what the rule learns from, and what starts a purge pass
      for (KvNode node : nodes.values()) {
        assertThat(node.localVersions("gone").context().isEmpty()).as("%s removed the record", node.nodeId())
            .isTrue();
      }
    });
    for (KvNode node : nodes.values()) {
      assertThat(node.localVersions("kept").strings()).as("%s keeps the live key", node.nodeId())
          .containsExactly("v");
    }
    assertThat(n1.get("gone").strings()).isEmpty();
  }
}
