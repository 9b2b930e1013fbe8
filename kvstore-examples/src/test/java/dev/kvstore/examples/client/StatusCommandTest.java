package dev.kvstore.examples.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.KvstoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kvstore status} against a real 3-node cluster: a block per node, down nodes, JSON, exit codes. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StatusCommandTest {
  @TempDir Path dir;
  private LocalCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new LocalCluster(dir);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void everyNodeAnswersWithItsActorRingShareKeysLogAndPeers() {
    cluster.nodes.get("n1").put("k", "v");
    StringWriter out = new StringWriter();
    int exit = run(out, "status", "--cluster", cluster.cluster());
    assertThat(exit).isZero();
    String incarnation = cluster.nodes.get("n2").status().incarnation();
    assertThat(out.toString())
        .containsPattern("(?m)^n1  up    127\\.0\\.0\\.1:\\d+  actor n1\\.[\\w-]+  N=3 W=2 R=2  ring \\d+\\.\\d%  keys ~1$")
        .contains("actor n2." + incarnation)
        .containsPattern("(?m)^    log: \\d+ appends, \\d+ groups, \\d+ forces$")
        .containsPattern("(?m)^    peers: n1 UP \\(phi \\d+\\.\\d(, connected)?\\), n3 UP \\(phi \\d+\\.\\d(, connected)?\\)$")
        .containsPattern("(?m)^    hints: 0 delivered, 0 dropped since start$")
        .doesNotContain("DOWN");
  }

  @Test
  void aStoppedNodeIsShownDownAndTheExitCodeIsOne() {
    cluster.stop("n2");
    StringWriter out = new StringWriter();
    int exit = run(out, "status", "--cluster", cluster.cluster());
    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).containsPattern("(?m)^n2  DOWN  \\(no answer: .+\\)$").contains("n1  up", "n3  up");
  }

  @Test
  void jsonIsOneArrayWithAnObjectPerNode() {
    StringWriter out = new StringWriter();
    int exit = run(out, "status", "--cluster", cluster.cluster(), "--json");
    assertThat(exit).isZero();
    assertThat(out.toString().trim()).startsWith("[{\"id\":\"n1\",\"up\":true,").endsWith("}]")
        .contains("{\"id\":\"n2\",\"up\":true,", "{\"id\":\"n3\",\"up\":true,", "\"log\":{\"appends\":", "\"phi\":", "\"hintsDelivered\":0");
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }
}
