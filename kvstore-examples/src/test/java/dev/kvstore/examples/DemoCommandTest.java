package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `kvstore demo` runs its tour on a real 3-node cluster and exits 0 only when every step held. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void theDemoHoldsEveryStepAndExitsZero() {
    StringWriter out = new StringWriter();
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("demo", "--dir", dir.toString());
    assertThat(out.toString())
        .contains("two concurrent siblings", "InsufficientReplicasException", "n3 caught up")
        .contains("ok: one coordinator minted both dots", "ok: neither write had seen the other's dot: concurrent")
        .containsPattern("compare\\(\\(n1\\.[^,]+,\\d+\\) after \\{.*\\}, \\(n1\\.[^,]+,\\d+\\) after \\{.*\\}\\) = CONCURRENT")
        .doesNotContain("FAILED")
        .contains("All 9 steps held.");
    assertThat(exit).isZero();
    assertThat(Files.isDirectory(dir.resolve("n1").resolve("wal"))).as("the nodes wrote their logs under --dir").isTrue();
  }
}
