package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.StoreClosedException;
import java.io.IOException;
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
import dev.kvstore.net.internal.testing.NettyLeakDetection;

/** {@link KvNode#status()} locally and through {@link KvClient#status(String)}, on three real nodes. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class KvNodeStatusTest {
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId("status").dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(2))
            .quorumMode(QuorumMode.STRICT))); // a failed quorum names the missing replicas (sloppy: HintedHandoffTest)
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  @Test
  void aNodeReportsItsIdentityRingShareKeysLogCountersAndConnectedPeers() {
    KvNode n1 = nodes.get("n1");
    for (int i = 0; i < 20; i++) {
      n1.put("k" + i, "v" + i);
    }
    // W=2: the two acks may have come from n2 and n3, with n1's own copy still on its way to its log.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        java.util.stream.IntStream.range(0, 20).allMatch(i -> n1.localVersions("k" + i).isFound()));
    NodeStatus s = n1.status();
    assertThat(s.nodeId()).isEqualTo("n1");
    assertThat(s.clusterId()).isEqualTo("status");
    assertThat(s.address()).isEqualTo("127.0.0.1:" + addresses.get("n1").getPort());
    List<String> n1Actors = java.util.stream.IntStream.range(0, 20)
        .mapToObj(i -> n1.localVersions("k" + i).versions().get(0).writer())
        .filter(a -> a.startsWith("n1.")).distinct().toList();
    assertThat(n1Actors).as("the versions n1 coordinated name the actor of its status").containsExactly(s.actorId());
    assertThat(List.of(s.n(), s.w(), s.r())).containsExactly(3, 2, 2);
    assertThat(s.keys()).as("N=3 of 3 nodes: every node holds every key").isEqualTo(20);
    assertThat(s.log().appends()).isGreaterThanOrEqualTo(20);
    assertThat(s.log().forces()).isPositive();
    assertThat(s.peers()).extracting(NodeStatus.PeerStatus::id).containsExactly("n2", "n3");
    assertThat(s.peers()).extracting(NodeStatus.PeerStatus::connected).containsOnly(true);
    double total = nodes.values().stream().mapToDouble(n -> n.status().ringShare()).sum();
    assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aClientGetsTheSameStatusFromARemoteNode() {
    nodes.get("n2").put("x", "y");
    try (KvClient client = KvClient.builder().clusterId("status").nodes(addresses).connect()) {
      NodeStatus remote = client.status("n2");
      NodeStatus local = nodes.get("n2").status();
      assertThat(remote.nodeId()).isEqualTo("n2");
      assertThat(remote.incarnation()).isEqualTo(local.incarnation());
      assertThat(remote.ringShare()).isEqualTo(local.ringShare());
      assertThat(remote.peers()).extracting(NodeStatus.PeerStatus::id).containsExactly("n1", "n3");
      assertThatThrownBy(() -> client.status("n9")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
    }
  }

  @Test
  void aQuorumThatFailsNamesTheReplicasThatDidNotAnswerLocallyAndThroughAClient() {
    nodes.remove("n3").close();
    assertThatThrownBy(() -> nodes.get("n1").withQuorum(3, 2).put("k", "v"))
        .isInstanceOfSatisfying(dev.kvstore.core.InsufficientReplicasException.class,
            e -> assertThat(e.missingReplicas()).containsExactly("n3"))
        .hasMessageContaining("(no answer from n3)");
    try (KvClient client = KvClient.builder().clusterId("status").nodes(addresses).replication(3, 3, 2).connect()) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOfSatisfying(dev.kvstore.core.InsufficientReplicasException.class,
              e -> assertThat(e.missingReplicas()).containsExactly("n3"));
    }
  }

  @Test
  void aStoppedPeerShowsAsNotConnectedAndAClosedNodeRefusesStatus() {
    KvNode n1 = nodes.get("n1");
    n1.put("a", "b");
    KvNode n3 = nodes.remove("n3");
    n3.close();
    assertThatThrownBy(n3::status).isInstanceOf(StoreClosedException.class);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
        n1.status().peers().stream().filter(p -> p.id().equals("n3")).noneMatch(NodeStatus.PeerStatus::connected));
  }
}
