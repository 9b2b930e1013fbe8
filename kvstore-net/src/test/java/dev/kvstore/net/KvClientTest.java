package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.InvalidRequestException.Reason;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.Versions;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A remote {@link KvClient} against three KvNodes on 127.0.0.1 (real sockets, RocksDB, fsync). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class KvClientTest {
  private static final String CLUSTER = "client-test";

  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();
  private KvClient client;

  @BeforeEach
  void startThreeNodesAndAClient() {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId(CLUSTER).dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(2))
            .quorumMode(QuorumMode.STRICT))); // refused quorums reach the client (sloppy: HintedHandoffTest)
    client = connect(2);
  }

  @AfterEach
  void stopAll() {
    client.close();
    nodes.values().forEach(KvNode::close);
  }

  private KvClient connect(int w) {
    return KvClient.builder().clusterId(CLUSTER).nodes(addresses).replication(3, w, 2)
        .requestTimeout(Duration.ofSeconds(2)).connect();
  }

  @Test
  void aPutIsReadBackThroughTheClientAndTheNodesAndADeleteRemovesIt() {
    Context written = client.put("greeting", "hello");
    assertThat(written.scope()).isEqualTo(CLUSTER);
    assertThat(written.isEmpty()).isFalse();

    Versions read = client.get("greeting");
    assertThat(read.strings()).containsExactly("hello");
    assertThat(nodes.get("n1").get("greeting").strings()).containsExactly("hello");
    assertThat(nodes.get("n3").get("greeting").strings()).containsExactly("hello");

    client.delete("greeting", read.context());
    assertThat(client.get("greeting").isFound()).isFalse();
    assertThat(nodes.get("n2").get("greeting").isFound()).isFalse();
    assertThat(client.get("never-written").isFound()).isFalse();
  }

  @Test
  void theAsyncFormsCompleteWithTheSameResults() {
    byte[] key = "async".getBytes(StandardCharsets.UTF_8);
    CompletableFuture<Versions> read = client.putAsync(key, "v".getBytes(StandardCharsets.UTF_8))
        .thenCompose(ctx -> client.getAsync(key));
    assertThat(read.join().strings()).containsExactly("v");
  }

  @Test
  void aCausalPutWithTheReadContextSupersedesTheVersionItSaw() {
    client.put("k", "v1");
    nodes.get("n2").put("k", "v1-from-a-node", nodes.get("n2").get("k").context());
    Context seen = client.get("k").context();
    client.put("k", "v2", seen);
    assertThat(client.get("k").strings()).containsExactly("v2");
    assertThat(nodes.get("n3").get("k").strings()).containsExactly("v2");
  }

  @Test
  void twoPutsWithTheSameContextBecomeSiblingsAndAPutWithTheirContextResolvesThem() {
    client.put("cart", "[milk]");
    Context both = client.get("cart").context();
    client.put("cart", "[milk, eggs]", both);
    nodes.get("n1").put("cart", "[milk, jam]", both);

    Versions siblings = client.get("cart");
    assertThat(siblings.strings()).containsExactlyInAnyOrder("[milk, eggs]", "[milk, jam]");
    assertThat(siblings.versions().get(0).compare(siblings.versions().get(1)))
        .isEqualTo(dev.kvstore.clock.Causality.CONCURRENT);

    client.put("cart", "[milk, eggs, jam]", siblings.context());
    assertThat(client.get("cart").strings()).containsExactly("[milk, eggs, jam]");
  }

  @Test
  void whenTheKeysFirstReplicaIsDownTheNextOneCoordinatesTheWrite() {
    String key = keyWhosePrimaryIs("n1");
    nodes.remove("n1").close();
    client.put(key, "through-the-fallback");
    assertThat(client.get(key).strings()).containsExactly("through-the-fallback");
    assertThat(nodes.get("n2").get(key).strings()).containsExactly("through-the-fallback");
  }

  @Test
  void withANodeStoppedAWriteNeedingThreeAcksFailsWithInsufficientReplicas() {
    nodes.remove("n3").close();
    try (KvClient strict = connect(3)) {
      assertThatThrownBy(() -> strict.put("strict", "x"))
          .isInstanceOf(InsufficientReplicasException.class)
          .satisfies(e -> {
            InsufficientReplicasException ire = (InsufficientReplicasException) e;
            assertThat(ire.required()).isEqualTo(3);
            assertThat(ire.answered()).isEqualTo(2);
          });
    }
    client.put("lenient", "y");
    assertThat(client.get("lenient").strings()).containsExactly("y");
  }

  @Test
  void withEveryNodeStoppedAnOperationFailsWithInsufficientReplicasNamingNoAnswer() {
    nodes.values().forEach(KvNode::close);
    nodes.clear();
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOf(InsufficientReplicasException.class)
        .hasMessageContaining("n1").hasMessageContaining("n2").hasMessageContaining("n3")
        .satisfies(e -> assertThat(((InsufficientReplicasException) e).answered()).isZero());
  }

  @Test
  void badArgumentsAreRefusedByTheClientAndChangeNothing() {
    assertThat(reason(() -> client.put((byte[]) null, new byte[1]))).isEqualTo(Reason.NULL_KEY);
    assertThat(reason(() -> client.get(new byte[0]))).isEqualTo(Reason.EMPTY_KEY);
    assertThat(reason(() -> client.get(new byte[1025]))).isEqualTo(Reason.KEY_TOO_LARGE);
    assertThat(reason(() -> client.put("k".getBytes(StandardCharsets.UTF_8), null))).isEqualTo(Reason.NULL_VALUE);
    assertThat(reason(() -> client.putAsync("k".getBytes(StandardCharsets.UTF_8), new byte[(1 << 20) + 1])))
        .isEqualTo(Reason.VALUE_TOO_LARGE);
    assertThat(reason(() -> client.delete("k", null))).isEqualTo(Reason.NULL_CONTEXT);
    Context foreign = Context.of("another-cluster", VectorClock.empty().increment("x"));
    assertThat(reason(() -> client.put("k", "v", foreign))).isEqualTo(Reason.FOREIGN_CONTEXT);
    assertThat(client.get("k").isFound()).isFalse();

    client.put(new byte[1024], new byte[1 << 20]);
    assertThat(client.get(new byte[1024]).values().get(0)).hasSize(1 << 20);
  }

  @Test
  void aClosedClientRefusesOperationsAndStopsItsThreads() {
    client.putAsync("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)).join(); // async results use the client's threads
    String threadPrefix = "kv-client-" + client.clientId();
    assertThat(threadsNamed(threadPrefix)).isPositive();
    client.close();
    client.close();
    assertThatThrownBy(() -> client.get("k")).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> client.put("k", "w")).isInstanceOf(StoreClosedException.class);
    // A pool is terminated once its workers have left their loops; each thread then still has its last
    // instructions to run before it is gone from Thread.getAllStackTraces.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(threadsNamed(threadPrefix)).isZero());
    assertThat(nodes.get("n1").get("k").strings()).containsExactly("v");
  }

  @Test
  void theBuilderRefusesBadOptions() {
    assertThatThrownBy(() -> KvClient.builder().connect()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodes");
    assertThatThrownBy(() -> KvClient.builder().replication(3, 4, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("W=4");
    assertThatThrownBy(() -> KvClient.builder().nodes(Map.of("n1", addresses.get("n1"))).connect())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N=3");
    assertThatThrownBy(() -> KvClient.builder().nodes(addresses).clientId("n1").connect())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientId");
    assertThatThrownBy(() -> KvClient.builder().requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> KvClient.builder().limits(0, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxKeyBytes");
  }

  private String keyWhosePrimaryIs(String node) {
    Ring ring = Ring.of(addresses.keySet());
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (ring.preferenceList(key.getBytes(StandardCharsets.UTF_8), 3).get(0).equals(node)) {
        return key;
      }
    }
  }

  private static Reason reason(Runnable call) {
    try {
      call.run();
    } catch (InvalidRequestException e) {
      return e.reason();
    }
    throw new AssertionError("expected an InvalidRequestException");
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }
}
