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

/**
 * {@code kvstore repair} against a real 3-node cluster through the client protocol: the round's report, the
 * per-range anti-entropy lines of {@code kvstore status} after it, exit codes and bad arguments.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RepairCommandTest {
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
  void aRepairRunsARoundOnTheNodeAndStatusShowsEachRangesLastExchange() {
    cluster.nodes.get("n1").put("k", "v");
    StringWriter out = new StringWriter();
    int exit = run(out, new StringWriter(), "repair", "n1", "--cluster", cluster.cluster(), "--wait", "30s");
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).containsPattern(
        "(?m)^n1: 2 exchanges, \\d+ keys compared, \\d+ sent, \\d+ received, \\d+ bytes sent$");
    StringWriter status = new StringWriter();
    assertThat(run(status, new StringWriter(), "status", "--cluster", cluster.cluster())).isZero();
    assertThat(status.toString()).containsPattern("(?m)^    anti-entropy n1,n2,n3: last exchange \\S+ with n3 "
        + "\\((in sync|differed)\\), \\d+ keys repaired, [1-9]\\d* bytes sent$");
  }

  @Test
  void anUnknownNodeOrABadWaitIsAUsageErrorAndAnUnreachableNodeExitsOne() {
    StringWriter err = new StringWriter();
    assertThat(run(new StringWriter(), err, "repair", "n9", "--cluster", cluster.cluster())).isEqualTo(2);
    assertThat(err.toString()).contains("'n9' is not a node of the cluster");
    err = new StringWriter();
    assertThat(run(new StringWriter(), err, "repair", "n1", "--cluster", cluster.cluster(), "--wait", "0s"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--wait must be between 1 ms and 1 day");
    cluster.stop("n2");
    err = new StringWriter();
    assertThat(run(new StringWriter(), err, "repair", "n2", "--cluster", cluster.cluster(), "--wait", "5s"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("repair on n2 failed");
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }
}
