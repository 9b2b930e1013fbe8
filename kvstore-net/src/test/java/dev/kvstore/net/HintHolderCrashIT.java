package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hints survive SIGKILL of the node that holds them: n1 runs in a child JVM while n3 is down, coordinates 300
 * writes and holds a durable hint for n3 for each; it is killed with SIGKILL, started again (here), n3 is
 * started, and every key reaches n3's own store through the hints, with no read.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HintHolderCrashIT {
  private static final int KEYS = 300;
  @TempDir Path dir;
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  private final List<KvNode> nodes = new ArrayList<>();
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    nodes.forEach(KvNode::close);
  }

  private KvNodeBuilder builder(String id) {
    return KvNode.builder().nodeId(id).clusterId("hints").dataDirectory(dir.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS)
        .requestTimeout(Duration.ofSeconds(5)).failureDetection(Duration.ofMillis(100), 8);
  }

  private KvNode start(String id) {
    KvNode node = PortZeroCluster.startOne(id, IDS, addresses, this::builder);
    nodes.add(node);
    PortZeroCluster.introduce(nodes);
    return node;
  }

  @Test
  void hintsHeldByANodeKilledWithSigkillAreDeliveredAfterItsRestart() throws Exception {
    start("n2");

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        HintHolderChild.class.getName(), dir.resolve("n1").toString(),
        Integer.toString(addresses.get("n2").getPort()), Integer.toString(KEYS))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).as("the child's report once its hints are durable").isEqualTo("held " + KEYS + " of " + KEYS);
      Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).inheritIO().start();
      assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

    KvNode n1 = start("n1");
    assertThat(n1.health().hintsHeld().get("n3").keys()).as("hints found after the restart").isEqualTo(KEYS);
    KvNode n3 = start("n3");
    await().atMost(Duration.ofSeconds(60)).until(() -> n1.health().hintKeysHeld() == 0);
    for (int i = 0; i < KEYS; i++) {
      assertThat(n3.localVersions("key-" + i).strings()).as("n3's own copy of key-%d", i).containsExactly("value-" + i);
    }
    assertThat(n1.health().hintsDelivered()).isEqualTo(KEYS);
  }
}
