package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.OverloadedException;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood past a node's bounds: three nodes whose logs take at most a few waiting writes, and thousands of
 * puts sent at once. Writes beyond the bound are refused at once (OVERLOADED, retryable, nothing written
 * there) instead of queueing without limit, and every write that was acknowledged is still there after every
 * node has been stopped and started again.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class KvNodeOverloadTest {
  private static final String CLUSTER = "overload-test";
  private static final int PENDING_WRITES = 4;
  private static final int FLOOD = 3000;

  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private void startAll() {
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId(CLUSTER).dataDirectory(dir.resolve(id))
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).maxPendingWrites(PENDING_WRITES)
            .requestTimeout(Duration.ofSeconds(10))));
  }

  @Test
  void aFloodIsRefusedAsOverloadedAndEveryAcknowledgedWriteSurvivesARestart() {
    startAll();
    List<String> acknowledged = new ArrayList<>();
    List<String> refusedByCoordinator = new ArrayList<>();
    int overloaded = 0;
    try (KvClient client = KvClient.builder().clusterId(CLUSTER).nodes(addresses)
        .requestTimeout(Duration.ofSeconds(10)).connect()) {
      List<CompletableFuture<?>> puts = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        puts.add(client.putAsync(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < FLOOD; i++) {
        try {
          Futures.join(puts.get(i));
          acknowledged.add("k" + i);
        } catch (KvStoreException e) {
          overloaded += isOverload(e) ? 1 : 0;
          if (e instanceof OverloadedException) {
            refusedByCoordinator.add("k" + i);
          }
          assertThat(isOverload(e)).as("put %d failed for another reason: %s", i, e).isTrue();
        }
      }
    }
    assertThat(overloaded).as("a log bound of %d waiting writes refuses part of %d puts sent at once",
        PENDING_WRITES, FLOOD).isPositive();
    assertThat(acknowledged).as("the rest were acknowledged").isNotEmpty();

    stopAll();
    nodes.clear();
    startAll();
    for (String k : refusedByCoordinator) {
      for (KvNode node : nodes.values()) {
        assertThat(node.localVersions(k).isFound()).as("%s, refused by its coordinator's log, is nowhere", k).isFalse();
      }
    }
    KvNode reader = nodes.get("n1");
    for (String k : acknowledged) {
      assertThat(reader.get(k).strings()).as("acknowledged %s after a restart", k)
          .containsExactly("v" + k.substring(1));
    }
  }

  /** Refused for load: by the coordinator's log, or by the logs of so many replicas that W was not reached. */
  private static boolean isOverload(Throwable e) {
    if (e instanceof OverloadedException overloaded) {
      return overloaded.isRetryable();
    }
    return e instanceof InsufficientReplicasException insufficient && insufficient.firstFailure() != null
        && insufficient.firstFailure().startsWith(OverloadedException.class.getSimpleName());
  }

  private static byte[] key(int i) {
    return ("k" + i).getBytes(StandardCharsets.UTF_8);
  }
}
