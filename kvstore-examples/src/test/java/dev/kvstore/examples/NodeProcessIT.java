package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options of a node process: the defaults first (G1's refinement left to the pauses, on JDK 17 to 19
 * only), then the caller's, which win where they repeat one; a real child JVM starts with them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeProcessIT {
  @TempDir Path dir;

  @Test
  void theRefinementOptionsAreDefaultsOnJdk17To19AndAbsentFrom20On() {
    assertThat(NodeProcess.defaultJvmOptions(17)).contains("-XX:-G1UseAdaptiveConcRefinement",
        "-XX:G1ConcRefinementGreenZone=2000");
    assertThat(NodeProcess.defaultJvmOptions(19)).isEqualTo(NodeProcess.defaultJvmOptions(17));
    assertThat(NodeProcess.defaultJvmOptions(20)).as("JDK 20 removed these flags; 25 refuses them").isEmpty();
    assertThat(NodeProcess.defaultJvmOptions(25)).isEmpty();
  }

  @Test
  void aNodeJvmStartsWithTheDefaultsFollowedByTheCallersOptions() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads the child's command line from /proc (Linux)");
    Map<String, InetSocketAddress> peers = LocalMachine.loopbackAddresses(1);
    List<String> callers = List.of("-Xmx128m", "-XX:G1ConcRefinementGreenZone=100");
    NodeProcess node = NodeProcess.start("n1", peers, dir, List.of("--n", "1", "--w", "1", "--r", "1"), callers);
    try {
      assertThat(node.awaitReady(Duration.ofSeconds(60))).startsWith("ready n1 ");
      List<String> expected = new ArrayList<>(NodeProcess.defaultJvmOptions(Runtime.version().feature()));
      expected.addAll(callers);
      // /proc, not ProcessHandle.Info, which gives no arguments for a command line this long (the class path)
      String cmdline = Files.readString(Path.of("/proc", Long.toString(node.handle().pid()), "cmdline"));
      String[] arguments = cmdline.split("\0");
      assertThat(arguments).as("the JVM's arguments, defaults before the caller's (the last wins)")
          .containsSubsequence(expected.toArray(String[]::new));
    } finally {
      node.stop();
    }
    assertThat(Files.readString(node.log())).contains("node n1 stopped");
  }
}
