package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.OutcomeUnknownException;
import dev.kvstore.core.Versions;
import dev.kvstore.net.ReplyCuttingProxy.Mode;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * A client write whose reply is lost after it executed (its connection closes, or the reply never comes) is
 * retried on the next replica under the same operation id and leaves exactly one version; when no replica's
 * reply arrives the caller gets a public {@link OutcomeUnknownException} that names the node and says whether a
 * retry is safe. Three KvNodes on 127.0.0.1 (real sockets, RocksDB, fsync), the client talking to each through a
 * {@link ReplyCuttingProxy}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class RetriedWriteTest {
  private static final String CLUSTER = "retry-test";

  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();
  private final Map<String, ReplyCuttingProxy> proxies = new LinkedHashMap<>();
  private KvClient client;

  @BeforeEach
  void startThreeNodesBehindProxies() throws IOException {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId(CLUSTER).dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).requestTimeout(Duration.ofSeconds(2))));
    Map<String, InetSocketAddress> viaProxies = new LinkedHashMap<>();
    for (String id : addresses.keySet()) {
      proxies.put(id, new ReplyCuttingProxy(addresses.get(id)));
      viaProxies.put(id, proxies.get(id).address());
    }
    client = KvClient.builder().clusterId(CLUSTER).nodes(viaProxies).replication(3, 2, 2)
        .requestTimeout(Duration.ofMillis(500)).connect();
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    client.close();
    for (ReplyCuttingProxy proxy : proxies.values()) {
      proxy.close();
    }
    nodes.values().forEach(KvNode::close);
  }

  @Test
  void aWriteWhoseConnectionClosesAfterItExecutedLeavesOneVersion() {
    String key = keyWhosePrimaryIs("n1");
    proxies.get("n1").arm(Mode.CLOSE);

    client.put(key, "once", Context.empty());

    assertThat(proxies.get("n1").lost()).as("n1 executed the put and its connection closed before the reply").isOne();
    assertOneVersion(key, "once");
    assertThat(nodes.get("n1").writeRefusal()).as("a healthy node takes writes").isEmpty();
  }

  @Test
  void aWriteWhoseReplyNeverComesLeavesOneVersion() {
    String key = keyWhosePrimaryIs("n2");
    proxies.get("n2").arm(Mode.SWALLOW);

    client.put(key, "once", Context.empty());

    assertThat(proxies.get("n2").lost()).as("n2 executed the put and its reply was dropped").isOne();
    assertOneVersion(key, "once");
  }

  @Test
  void aDeleteWhoseConnectionClosesIsRetriedAndTakesEffect() {
    String key = keyWhosePrimaryIs("n3");
    Context written = client.put(key, "doomed");
    proxies.get("n3").arm(Mode.CLOSE);

    client.delete(key, written);

    assertThat(proxies.get("n3").lost()).isOne();
    assertThat(nodes.get("n1").withQuorum(2, 3).get(key).isFound()).isFalse();
  }

  @Test
  void whenNoReplyComesTheCallerGetsAPublicOutcomeUnknownNamingTheNode() {
    String key = keyWhosePrimaryIs("n1");
    proxies.values().forEach(p -> p.arm(Mode.CLOSE));

    assertThatThrownBy(() -> client.put(key, "maybe", Context.empty()))
        .isExactlyInstanceOf(OutcomeUnknownException.class)
        .isInstanceOf(KvStoreException.class)
        .hasMessageContaining("may or may not have been applied")
        .satisfies(e -> {
          OutcomeUnknownException unknown = (OutcomeUnknownException) e;
          assertThat(unknown.isRetrySafe()).as("a new put would be a new operation").isFalse();
          assertThat(unknown.node()).isIn(addresses.keySet());
        });
    assertOneVersion(key, "maybe");

    // A get reads two replicas directly, then goes to a coordinator (each node in turn): no reply ever comes.
    proxies.values().forEach(ReplyCuttingProxy::silence);
    assertThatThrownBy(() -> client.get(key))
        .isExactlyInstanceOf(OutcomeUnknownException.class)
        .satisfies(e -> assertThat(((OutcomeUnknownException) e).isRetrySafe()).as("a read").isTrue());
  }

  @Test
  void aGetWhoseDirectReadsLoseTheirRepliesIsAnsweredThroughACoordinator() {
    String key = keyWhosePrimaryIs("n1");
    client.put(key, "there", Context.empty());
    proxies.values().forEach(p -> p.arm(Mode.CLOSE));

    assertThat(client.get(key).strings()).containsExactly("there");

    assertThat(proxies.get("n1").lost() + proxies.get("n2").lost() + proxies.get("n3").lost())
        .as("the direct reads of the first two replicas lost their replies, and so did the first coordinated try")
        .isEqualTo(3);
  }

  private void assertOneVersion(String key, String value) {
    Versions all = nodes.get("n1").withQuorum(2, 3).get(key);
    assertThat(all.strings()).as("every replica asked: one version of the one write").containsExactly(value);
    // W=2: at the ack two replicas hold the write, not necessarily the third (nor the coordinator's own copy).
    for (KvNode node : nodes.values()) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(node.localVersions(key).strings()).as("replica %s", node.nodeId()).containsExactly(value));
    }
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
}
