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

/**
 * `kvstore demo` runs its tour on a real 3-node cluster (n3 in a child process, crashed with SIGKILL) and exits
 * 0 only when every step held; each written value, the refused write and incarnations are shown.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void theDemoHoldsEveryStepAndExitsZero() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("demo", "--dir", dir.toString());
    assertThat(out.toString())
        .contains("two concurrent siblings", "InsufficientReplicasException", "n3 caught up")
        .contains("ok: one coordinator minted both dots", "ok: neither write had seen the other's dot: concurrent")
        .containsPattern("compare\\(\\(n1\\.[^,]+,\\d+\\) after \\{.*\\}, \\(n1\\.[^,]+,\\d+\\) after \\{.*\\}\\) = CONCURRENT")
        .contains("writing [milk, eggs, bread, jam, coffee] through n1 with W=3", "no rollback", "was killed",
            "is an actor: node n1, incarnation", "ok: n3 has a new incarnation")
        .doesNotContain("FAILED")
        .contains("All 9 steps held.");
    assertThat(exit).isZero();
    assertThat(Files.isDirectory(dir.resolve("n1").resolve("wal"))).as("the nodes wrote their logs under --dir").isTrue();
    assertThat(Files.readString(dir.resolve("n3.log"))).as("n3's process logged to its file").contains("n3");
  }
}
