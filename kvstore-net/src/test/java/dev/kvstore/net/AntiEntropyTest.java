package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.StoreClosedException;
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
 * Anti-entropy between three KvNodes on 127.0.0.1 (real sockets, RocksDB, ALWAYS), hinted handoff off: a node
 * that was stopped during writes gets every write it missed from {@link KvNode#repair()}, without a read, and
 * the repair moves exactly the keys it missed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class AntiEntropyTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(IDS, addresses, this::builder));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private KvNodeBuilder builder(String id) {
    return KvNode.builder().nodeId(id).clusterId("ae").dataDirectory(dir.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(2))
        .quorumMode(QuorumMode.STRICT).hintedHandoff(false).antiEntropy(true);
  }

  @Test
  void aNodeRestartedAfterMissingWritesGetsExactlyThoseFromRepair() {
    for (int i = 0; i < 200; i++) { // every replica has these
      nodes.get("n1").put("key-" + i, "before-" + i);
    }
    nodes.remove("n3").close();
    int missed = 800;
    for (int i = 200; i < 200 + missed; i++) {
      nodes.get(i % 2 == 0 ? "n1" : "n2").put("key-" + i, "value-" + i);
    }
    KvNode n3 = PortZeroCluster.restart("n3", IDS, addresses, nodes, this::builder);
    assertThat(n3.localVersions("key-500").strings()).as("n3 missed the writes").isEmpty();

    RepairReport report = n3.repair();

    assertThat(report.peersFailed()).isEmpty();
    assertThat(report.peersExchanged()).isEqualTo(2);
    assertThat(report.keysReceived()).as("keys n3 read from its peers").isEqualTo(missed);
    assertThat(report.keysSent()).as("keys n3 sent: it had nothing they lacked").isZero();
    assertThat(report.keysCompared()).as("keys compared: the missed ones and their bucket neighbours only")
        .isBetween((long) missed, 200L + missed - 1);
    for (int i = 0; i < 200 + missed; i++) {
      String expected = i < 200 ? "before-" + i : "value-" + i;
      assertThat(n3.localVersions("key-" + i).strings()).as("n3's own copy of key-%d", i).containsExactly(expected);
    }
    RepairReport again = nodes.get("n1").repair();
    assertThat(again.keysCompared()).as("after repair the trees agree").isZero();
  }

  @Test
  void anAntiEntropyIntervalOutOfRangeIsRefused() {
    assertThatThrownBy(() -> KvNode.builder().antiEntropyInterval(Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("antiEntropyInterval");
    assertThatThrownBy(() -> KvNode.builder().antiEntropyInterval(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("antiEntropyInterval");
  }

  @Test
  void aClosedNodeRefusesToRepair() {
    KvNode n1 = nodes.remove("n1");
    n1.close();
    assertThatThrownBy(n1::repair).isInstanceOf(StoreClosedException.class).hasMessageContaining("n1 is closed");
  }
}
