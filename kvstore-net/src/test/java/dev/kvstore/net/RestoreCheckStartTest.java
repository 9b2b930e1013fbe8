package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting node waits for its peers' restore-detection answers only while they can answer: peers that refuse
 * the connection (nothing listens) end the wait at once, and the node then coordinates writes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // far below the minute the node would wait for silent peers
@ExtendWith(NettyLeakDetection.class)
class RestoreCheckStartTest {
  @TempDir Path dir;

  @Test
  void unreachablePeersDoNotHoldTheStartAndTheNodeThenMints() throws IOException {
    Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) { // nothing listens on port 0: n2 and n3 refuse every connection
      addresses.put("n" + (i + 1), PortZeroCluster.ANY_PORT);
    }
    try (KvNode n1 = KvNode.builder().nodeId("n1").clusterId("alone").dataDirectory(dir.resolve("n1"))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).listen(addresses.get("n1")).peers(addresses)
        .replication(3, 1, 1).restoreCheckTimeout(Duration.ofMinutes(1)).start()) {
      n1.put("k", "v"); // W=1: the coordinator's own durable copy
      assertThat(n1.localVersions("k").strings()).containsExactly("v");
    }
  }
}
