package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.NodeFailureException;
import dev.kvstore.core.NodeUnavailableException;
import dev.kvstore.core.OutcomeUnknownException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that is down or never answers reaches a user of {@link KvNode} and {@link KvClient} as a public
 * exception (a {@code dev.kvstore.core} type, never the transport's internal ones) that names the node and says
 * whether a retry is safe; the internal failure stays as the cause. Two KvNodes on 127.0.0.1 (real sockets,
 * RocksDB) with N=1, so a key lives on one node only; the silent peer sits behind a {@link ReplyCuttingProxy}
 * that drops every reply.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class PublicFailuresTest {
  private static final String CLUSTER = "failures-test";

  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();
  private ReplyCuttingProxy silentN2;
  private KvClient client;

  @BeforeEach
  void startTwoNodesAndAProxyToTheSecond() throws IOException {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId(CLUSTER).dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).replication(1, 1, 1)
            .requestTimeout(Duration.ofMillis(300)).quorumMode(QuorumMode.STRICT)));
    silentN2 = new ReplyCuttingProxy(addresses.get("n2"));
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    silentN2.close();
    nodes.values().forEach(KvNode::close);
  }

  @Test
  void aClientAskingANodeThatIsDownGetsNodeUnavailableNamingIt() {
    client = connect(addresses);
    nodes.remove("n2").close();

    NodeFailureException e = publicFailure(() -> client.status("n2"), NodeUnavailableException.class);

    assertThat(e.node()).isEqualTo("n2");
    assertThat(e.isRetrySafe()).as("nothing ran on n2").isTrue();
  }

  @Test
  void aClientAskingANodeThatNeverAnswersGetsOutcomeUnknownThatIsSafeToRetryForAStatus() {
    Map<String, InetSocketAddress> viaProxy = new LinkedHashMap<>(addresses);
    viaProxy.put("n2", silentN2.address());
    client = connect(viaProxy);
    silentN2.silence();

    NodeFailureException e = publicFailure(() -> client.status("n2"), OutcomeUnknownException.class);

    assertThat(e.node()).isEqualTo("n2");
    assertThat(e.isRetrySafe()).as("a status request changes nothing").isTrue();
    assertThat(silentN2.lost()).as("n2 was asked and its reply dropped").isPositive();
  }

  @Test
  void aClientWriteToAReplicaThatNeverAnswersGetsOutcomeUnknownThatIsNotSafeToRetry() {
    Map<String, InetSocketAddress> viaProxy = new LinkedHashMap<>(addresses);
    viaProxy.put("n2", silentN2.address());
    client = connect(viaProxy);
    silentN2.silence();
    String key = keyOn("n2");

    NodeFailureException put = publicFailure(() -> client.put(key, "maybe"), OutcomeUnknownException.class);
    assertThat(put.node()).isEqualTo("n2");
    assertThat(put.isRetrySafe()).as("a new put would be a new operation").isFalse();

    NodeFailureException get = publicFailure(() -> client.get(key), OutcomeUnknownException.class);
    assertThat(get.node()).isEqualTo("n2");
    assertThat(get.isRetrySafe()).as("a read").isTrue();
  }

  @Test
  void aNodeForwardingAWriteToAReplicaThatNeverAnswersFailsItsFutureWithOutcomeUnknown() {
    nodes.get("n1").peerAddress("n2", silentN2.address());
    silentN2.silence();
    String key = keyOn("n2");

    CompletableFuture<?> put = nodes.get("n1").putAsync(key.getBytes(StandardCharsets.UTF_8), new byte[] {1});

    NodeFailureException e = publicFailure(() -> joinAsync(put), OutcomeUnknownException.class);
    assertThat(e.node()).as("the replica, not the coordinator").isEqualTo("n2");
    assertThat(e.isRetrySafe()).isFalse();
  }

  @Test
  void aNodeWhoseOnlyReplicaOfAKeyIsDownNamesItInInsufficientReplicas() {
    nodes.remove("n2").close();
    String key = keyOn("n2");

    assertThatThrownBy(() -> nodes.get("n1").put(key, "lost"))
        .isExactlyInstanceOf(InsufficientReplicasException.class)
        .hasMessageNotContaining(".internal.")
        .satisfies(e -> {
          InsufficientReplicasException refused = (InsufficientReplicasException) e;
          assertThat(refused.missingReplicas()).containsExactly("n2");
          assertThat(refused.answered()).isZero();
          assertThat(refused.firstFailure()).as("what n2's failure was").contains("n2");
        });
  }

  /** The failure {@code call} throws: exactly {@code type}, public, with the internal failure as its cause. */
  private static NodeFailureException publicFailure(ThrowingCallable call, Class<? extends NodeFailureException> type) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(call).isExactlyInstanceOf(type).isInstanceOf(KvStoreException.class)
        .satisfies(e -> thrown[0] = e);
    assertThat(thrown[0].getClass().getPackageName()).isEqualTo("dev.kvstore.core");
    assertThat(thrown[0].getMessage()).contains("n2");
    assertThat(thrown[0].getCause()).as("the internal failure underneath").isNotNull();
    return (NodeFailureException) thrown[0];
  }

  private static Object joinAsync(CompletableFuture<?> future) throws Throwable {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  private KvClient connect(Map<String, InetSocketAddress> to) {
    return KvClient.builder().clusterId(CLUSTER).nodes(to).replication(1, 1, 1)
        .requestTimeout(Duration.ofMillis(300)).connect();
  }

  private String keyOn(String node) {
    Ring ring = Ring.of(addresses.keySet());
    for (int i = 0; i < 10_000; i++) {
      String key = "key-" + i;
      if (ring.preferenceList(key.getBytes(StandardCharsets.UTF_8), 1).get(0).equals(node)) {
        return key;
      }
    }
    throw new AssertionError("no key of the first 10000 lives on " + node);
  }
}
