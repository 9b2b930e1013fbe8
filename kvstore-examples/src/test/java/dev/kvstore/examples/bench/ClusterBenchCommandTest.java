package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code kvstore bench cluster} refuses bad options with exit code 2 before it starts any process. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ClusterBenchCommandTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"--nodes 2", "--nodes 17", "--threads 0", "--seconds 0", "--warmup-seconds -1",
      "--value-bytes 0", "--value-bytes 1048577", "--keys 0", "--durability sometimes", "--w 0", "--w 4", "--r 0",
      "--r 4", "--n 4", "--n 2 --w 3", "--engine lsm", "--frobnicate"})
  void badOptionsAreAUsageErrorAndStartNoNode(String flags) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new ClusterBenchCommand());
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    String[] args = (flags + " --dir " + dir.resolve("bench")).split(" ");
    assertThat(cli.execute(args)).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(err.toString()).isNotBlank();
    assertThat(out.toString()).doesNotContain("ready");
    assertThat(Files.exists(dir.resolve("bench"))).as("no node directory was created").isFalse();
  }
}
