package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.KvstoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kvstore bench cluster} for real, briefly: three child JVMs become ready, each phase follows a warm-up in
 * its own operation, the table has a put and a get row with figures, CPU time and context switches per operation,
 * p90 and max, no absolute target is printed, and no child process outlives the command.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterBenchCommandIT {
  @TempDir Path dir;

  @Test
  void aShortRunPrintsTheTableAndStopsItsChildren() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("bench", "cluster", "--threads", "4", "--seconds", "1", "--warmup-seconds", "1",
        "--keys", "1000", "--durability", "never", "--engine", "memory", "--r", "1", "--node-jvm-opt=-Xmx256m",
        "--dir", dir.toString());
    assertThat(exit).as(out.toString()).isZero();
    String switches = Files.isDirectory(Path.of("/proc")) ? "\\d+\\.\\d\\d" : "n/a";
    assertThat(out.toString())
        .contains("ready n1 ", "ready n2 ", "ready n3 ", "N=3 W=2 R=1", "durability never, engine memory")
        .contains("| operation | ops/s | p50 (us) | p99 (us) | p999 (us) | CPU us/op | ctx sw/op | p90 (us) | max (us) |")
        .containsPattern("\\| put \\| [\\d,]+ \\| \\d+ \\| \\d+ \\| \\d+ \\| (\\d+|n/a) \\| " + switches
            + " \\| \\d+ \\| \\d+ \\|\\R")
        .containsPattern("\\| get \\| [\\d,]+ \\| \\d+ \\| \\d+ \\| \\d+ \\| (\\d+|n/a) \\| " + switches
            + " \\| \\d+ \\| \\d+ \\|\\R")
        .containsSubsequence("warming up (1 s of puts, not measured)", "puts for 1 s",
            "warming up (1 s of gets, not measured)", "gets of the")
        .contains("judged as ratios to `../shared/peers/run.sh hazelcast-client`")
        .doesNotContain("PASS", "MISS", "| target");
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
    for (String node : new String[] {"n1", "n2", "n3"}) {
      assertThat(Files.readString(dir.resolve(node + ".log")))
          .contains("MEMORY engine, durability never", "node " + node + " stopped");
    }
  }
}
