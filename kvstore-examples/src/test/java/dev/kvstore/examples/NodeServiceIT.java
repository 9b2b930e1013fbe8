package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.net.KvClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvstore node} as a service, in a real child JVM started as a script would ({@code ... &}: standard
 * input is /dev/null): it stays up and serves after its input ended, logs to {@code --log-file}, and stops
 * cleanly on SIGTERM.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeServiceIT {
  @TempDir Path dir;

  @Test
  void aNodeWithStandardInputFromDevNullServesUntilSigterm() throws Exception {
    Map<String, InetSocketAddress> peers = LocalMachine.loopbackAddresses(1);
    Path log = dir.resolve("n1.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.kvstore.examples.KvstoreCommand", "node", "--id", "n1", "--listen", NodeProcess.hostPort(peers.get("n1")),
        "--peers", NodeProcess.peerList(peers), "--data", dir.resolve("n1").toString(), "--n", "1", "--w", "1",
        "--r", "1", "--log-file", log.toString(), "--log-level", "info"))
        .redirectInput(new File("/dev/null")).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).startsWith("ready n1 ");
      try (KvClient client = KvClient.builder().replication(1, 1, 1).nodes(peers).connect()) {
        client.put("k", "v");
        assertThat(client.get("k").strings()).containsExactly("v");
      }
      assertThat(p.isAlive()).as("standard input ended at once, the node still runs").isTrue();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the node exits after SIGTERM").isTrue();
      assertThat(Files.readString(log)).contains("node n1 stopped");
    } finally {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
