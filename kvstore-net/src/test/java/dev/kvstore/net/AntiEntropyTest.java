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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy between three KvNodes on 127.0.0.1 (real sockets, RocksDB, ALWAYS), hinted handoff off: a node that
 * was stopped during 10,000 writes gets every write it missed from {@link KvNode#repair()}, without a read, moving
 * close to exactly the keys that differed (not a copy of everything); a repair asked through the client protocol
 * and the nodes' status show the same.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class AntiEntropyTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  private static final int BEFORE = 5_000; // keys every replica gets
  private static final int OVERWRITTEN = 2_000; // of those, overwritten while n3 is down
  private static final int WRITES = 10_000; // while n3 is down: the overwrites, then new keys
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
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(5))
        .quorumMode(QuorumMode.STRICT).hintedHandoff(false).antiEntropy(true)
        .antiEntropyInterval(Duration.ZERO).antiEntropyPacing(1_000_000, 1024);
  }

  /** Writes {@code count} keys through {@code node}, 64 at a time. */
  private static void write(KvNode node, int from, int count, String prefix) {
    List<CompletableFuture<?>> window = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      window.add(node.putAsync(key(i), (prefix + i).getBytes(StandardCharsets.UTF_8)));
      if (window.size() == 64) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static String expected(int i) {
    return i < OVERWRITTEN ? "during-" + i : i < BEFORE ? "before-" + i : "during-" + i;
  }

  @Test
  void aNodeRestartedAfterMissingTenThousandWritesGetsThemFromRepairMovingOnlyWhatDiffered() {
    write(nodes.get("n1"), 0, BEFORE, "before-");
    KvNode old = nodes.get("n3");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> // W=2: n3's copies may still be on their way
        java.util.stream.IntStream.range(0, BEFORE).allMatch(i -> !old.localVersions("key-" + i).strings().isEmpty()));
    nodes.remove("n3").close();
    write(nodes.get("n2"), 0, OVERWRITTEN, "during-");
    write(nodes.get("n1"), BEFORE, WRITES - OVERWRITTEN, "during-");
    int total = BEFORE + WRITES - OVERWRITTEN;
    KvNode n3 = PortZeroCluster.restart("n3", IDS, addresses, nodes, this::builder);
    int differing = 0;
    for (int i = 0; i < total; i++) {
      if (!n3.localVersions("key-" + i).strings().equals(List.of(expected(i)))) {
        differing++;
      }
    }
    assertThat(differing).as("keys n3 missed").isEqualTo(WRITES);

    RepairReport report = n3.repair();

    assertThat(report.peersFailed()).isEmpty();
    assertThat(report.exchanges()).as("one range (n1,n2,n3), two peers").isEqualTo(2);
    assertThat(report.keysReceived()).as("keys n3 read from its peers: those it missed, hardly more")
        .isBetween((long) differing, differing + differing / 100L);
    assertThat(report.keysSent()).as("keys n3 sent: it had nothing they lacked").isZero();
    assertThat(report.keysCompared()).as("keys compared: no more than the keys held").isBetween((long) differing,
        (long) total);
    for (KvNode node : nodes.values()) {
      for (int i = 0; i < total; i++) {
        assertThat(node.localVersions("key-" + i).strings()).as("%s's own copy of key-%d", node.nodeId(), i)
            .containsExactly(expected(i));
      }
    }
    NodeStatus.RangeStatus range = n3.status().ranges().get(0);
    assertThat(range.range()).isEqualTo("n1,n2,n3");
    assertThat(range.keysRepaired()).isEqualTo(report.keysReceived());
    assertThat(range.bytesSent()).isPositive();
    assertThat(range.lastExchange()).isPresent();
    assertThat(range.inSync()).isTrue();

    try (KvClient client = KvClient.builder().clusterId("ae").nodes(addresses).replication(3, 2, 2)
        .requestTimeout(Duration.ofSeconds(5)).connect()) {
      RepairReport again = client.repair("n1", Duration.ofMinutes(1));
      assertThat(again.peersFailed()).isEmpty();
      assertThat(again.exchanges()).isEqualTo(2);
      assertThat(again.keysCompared()).as("after repair the trees agree").isZero();
      NodeStatus.RangeStatus seen = client.status("n1").ranges().get(0);
      assertThat(seen.range()).isEqualTo("n1,n2,n3");
      assertThat(seen.inSync()).isTrue();
      assertThat(seen.lastPeer()).isIn("n2", "n3");
      assertThatThrownBy(() -> client.repair("n9", Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'n9' is not a node of this client");
      assertThatThrownBy(() -> client.repair("n1", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout");
    }
  }

  @Test
  void aRepairRequestToANodeWithoutAntiEntropyIsRefusedClearly() {
    KvNode n3 = nodes.remove("n3");
    n3.close();
    nodes.put("n3", PortZeroCluster.startOne("n3", IDS, addresses, id -> builder(id).antiEntropy(false)));
    PortZeroCluster.introduce(nodes.values());
    assertThat(nodes.get("n3").status().ranges()).isEmpty();
    assertThatThrownBy(() -> nodes.get("n3").repair()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keeps no anti-entropy trees");
    try (KvClient client = KvClient.builder().clusterId("ae").nodes(addresses).replication(3, 2, 2)
        .requestTimeout(Duration.ofSeconds(5)).connect()) {
      assertThatThrownBy(() -> client.repair("n3", Duration.ofSeconds(10)))
          .isInstanceOf(dev.kvstore.core.InvalidRequestException.class)
          .hasMessageContaining("keeps no anti-entropy trees");
    }
  }

  @Test
  void pacingOutOfRangeIsRefused() {
    assertThatThrownBy(() -> KvNode.builder().antiEntropyPacing(0, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("antiEntropyKeysPerSecond");
    assertThatThrownBy(() -> KvNode.builder().antiEntropyPacing(10, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("antiEntropyBucketsPerExchange");
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
