package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.KvStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import dev.kvstore.net.internal.testing.NettyLeakDetection;

/** Three KvNodes on 127.0.0.1 in one JVM, over real Netty sockets and RocksDB. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class KvNodeClusterTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();
  private QuorumMode quorumMode = QuorumMode.SLOPPY;

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(IDS, addresses, id -> builder(id, "test-cluster", 3)));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private KvNodeBuilder builder(String id, String clusterId, int n) {
    return KvNode.builder()
        .nodeId(id)
        .clusterId(clusterId)
        .dataDirectory(dir.resolve(id))
        .engine(EngineType.ROCKSDB)
        .durability(Durability.ALWAYS)
        .replication(n, Math.min(2, n), Math.min(2, n))
        .quorumMode(quorumMode)
        .requestTimeout(Duration.ofSeconds(2));
  }

  /** Starts node {@code id} again (on a new port 0) and tells the running nodes where it is. */
  private KvNode restart(String id, String clusterId, int n) {
    return PortZeroCluster.restart(id, IDS, addresses, nodes, x -> builder(x, clusterId, n));
  }

  @Test
  void aPutThroughOneNodeIsReadThroughEachOfTheOthers() {
    nodes.get("n1").put("greeting", "hello");
    assertThat(nodes.get("n2").get("greeting").strings()).containsExactly("hello");
    assertThat(nodes.get("n3").get("greeting").strings()).containsExactly("hello");
  }

  @Test
  void aCausalPutWithAContextSupersedesAndConcurrentOnesBecomeSiblings() {
    nodes.get("n1").put("k", "v1");
    Context seen = nodes.get("n2").get("k").context();
    nodes.get("n3").put("k", "v2", seen);
    assertThat(nodes.get("n1").get("k").strings()).containsExactly("v2");
    Context c = nodes.get("n1").get("k").context();
    nodes.get("n2").put("k", "a", c);
    nodes.get("n3").put("k", "b", c);
    assertThat(nodes.get("n1").get("k").strings()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void withOneNodeStoppedW2WritesSucceedAndUnderAStrictQuorumW3WritesFail() {
    nodes.remove("n3").close();
    quorumMode = QuorumMode.STRICT; // only home replicas count (sloppy quorums: HintedHandoffTest)
    for (String id : List.of("n1", "n2")) {
      nodes.remove(id).close();
      restart(id, "test-cluster", 3);
    }
    KvNode n1 = nodes.get("n1");
    for (int i = 0; i < 20; i++) {
      n1.put("key-" + i, "value-" + i);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(nodes.get("n2").get("key-" + i).strings()).containsExactly("value-" + i);
    }
    KvStore strict = n1.withQuorum(3, 2);
    assertThatThrownBy(() -> strict.put("strict", "x"))
        .isInstanceOf(InsufficientReplicasException.class)
        .satisfies(e -> {
          InsufficientReplicasException ire = (InsufficientReplicasException) e;
          assertThat(ire.required()).isEqualTo(3);
          assertThat(ire.answered()).isEqualTo(2);
        })
        .hasMessageContaining("only 2 answered");
  }

  @Test
  void aPeerWithAnotherClusterIdIsRefused() {
    nodes.remove("n3").close();
    KvNode stranger = restart("n3", "another-cluster", 3);
    KvStore viaStranger = stranger.withQuorum(3, 3);
    assertThatThrownBy(() -> viaStranger.put("k", "v"))
        .isInstanceOf(InsufficientReplicasException.class)
        .satisfies(e -> assertThat(((InsufficientReplicasException) e).answered())
            .as("only the stranger's own replica took the write").isEqualTo(1));
    assertThat(nodes.get("n1").withQuorum(2, 2).get("k").isFound()).isFalse();
  }

  @Test
  void aPeerThatPlacesKeysDifferentlyIsRefusedAtTheHandshake() {
    nodes.remove("n3").close();
    KvNode misconfigured = restart("n3", "test-cluster", 2); // N=2 while the others use N=3
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
        () -> misconfigured.withQuorum(2, 2).put("k", "v"));
    assertThat(failure).isInstanceOf(dev.kvstore.core.KvStoreException.class);
    assertThat(messages(failure)).as("the refusal says why")
        .anySatisfy(m -> assertThat(m).contains("places keys by N=3").contains("not by N=2"));
    assertThat(nodes.get("n1").get("k").isFound()).as("nothing reached the correctly configured nodes").isFalse();
  }

  /** The messages of {@code t}, its causes and everything they suppressed. */
  private static List<String> messages(Throwable t) {
    List<String> all = new java.util.ArrayList<>();
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(t));
    while (!todo.isEmpty() && all.size() < 50) {
      Throwable next = todo.poll();
      all.add(String.valueOf(next.getMessage()));
      if (next.getCause() != null) {
        todo.add(next.getCause());
      }
      todo.addAll(List.of(next.getSuppressed()));
    }
    return all;
  }

  @Test
  void randomBytesAndAnOversizedFrameCloseThatConnectionWhileTheNodeServesOthers() throws Exception {
    InetSocketAddress n1 = addresses.get("n1");
    SplittableRandom random = new SplittableRandom(7);
    try (Socket garbage = new Socket(n1.getAddress(), n1.getPort())) {
      byte[] junk = new byte[4096];
      random.nextBytes(junk);
      OutputStream out = garbage.getOutputStream();
      out.write(junk);
      out.flush();
      assertClosedByPeer(garbage);
    }
    try (Socket huge = new Socket(n1.getAddress(), n1.getPort())) {
      OutputStream out = huge.getOutputStream();
      out.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
      out.write(new byte[1024]);
      out.flush();
      assertClosedByPeer(huge);
    }
    nodes.get("n2").put("after-garbage", "still serving");
    assertThat(nodes.get("n1").get("after-garbage").strings()).containsExactly("still serving");
  }

  private static void assertClosedByPeer(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    List<Integer> seen = new ArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        int b = socket.getInputStream().read();
        seen.add(b);
        return b == -1;
      } catch (java.net.SocketTimeoutException stillOpen) {
        throw new AssertionError("the node did not close the connection", stillOpen);
      } catch (java.net.SocketException reset) {
        return true;
      }
    });
  }

  @Test
  void stoppingANodeCompletesEveryOperationInFlightInsteadOfLeavingItHanging() {
    KvNode n1 = nodes.remove("n1");
    List<java.util.concurrent.CompletableFuture<?>> inFlight = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      inFlight.add(n1.putAsync(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[100]));
      inFlight.add(n1.getAsync(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    n1.close();
    Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> inFlight.stream().allMatch(java.util.concurrent.CompletableFuture::isDone));
    for (java.util.concurrent.CompletableFuture<?> f : inFlight) {
      if (f.isCompletedExceptionally()) {
        assertThatThrownBy(f::join).hasCauseInstanceOf(dev.kvstore.core.KvStoreException.class);
      }
    }
    assertThatThrownBy(() -> n1.put("after", "close")).isInstanceOf(dev.kvstore.core.StoreClosedException.class);
  }

  @Test
  void aWriteThroughANodeThatIsNotAReplicaIsForwardedOverRealSockets() {
    Map<String, InetSocketAddress> four = new LinkedHashMap<>();
    List<KvNode> started = new ArrayList<>(PortZeroCluster.start(List.of("m1", "m2", "m3", "m4"), four,
        id -> KvNode.builder().nodeId(id).clusterId("four").dataDirectory(dir.resolve(id)).replication(3, 2, 2))
        .values());
    try {
      dev.kvstore.net.internal.ring.Ring ring = dev.kvstore.net.internal.ring.Ring.of(four.keySet());
      for (int i = 0; i < 20; i++) {
        String key = "key-" + i;
        String value = "v" + i;
        List<String> replicas = ring.preferenceList(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 3);
        KvNode outsider = started.stream().filter(n -> !replicas.contains(n.nodeId())).findFirst().orElseThrow();
        outsider.put(key, value);
        // W=2: at the ack at least two of the three replicas hold the value; which two is not fixed.
        List<KvNode> holders = started.stream()
            .filter(n -> replicas.contains(n.nodeId()) && n.localVersions(key).strings().contains(value))
            .toList();
        assertThat(holders).as("replicas holding %s right after the W=2 ack", key).hasSizeGreaterThanOrEqualTo(2);
        // The dot was minted by the first replica of the preference list: the outsider forwarded the write there.
        assertThat(holders.get(0).localVersions(key).versions())
            .singleElement()
            .satisfies(v -> assertThat(v.writer()).startsWith(replicas.get(0) + "."));
        assertThat(outsider.localVersions(key).isFound()).as("the outsider holds no copy").isFalse();
        KvNode coordinator = started.stream().filter(n -> n.nodeId().equals(replicas.get(0))).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(coordinator.localVersions(key).strings()).containsExactly(value));
        assertThat(outsider.get(key).strings()).containsExactly(value);
      }
    } finally {
      started.forEach(KvNode::close);
    }
  }
}
