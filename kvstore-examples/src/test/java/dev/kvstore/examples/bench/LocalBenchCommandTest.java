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
 * {@code kvstore bench local} for real, briefly: the warm-up is announced, the table has a durable-put and a get
 * row per thread count with both stores' CPU time and context switches per operation; bad options are refused
 * before anything is created.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalBenchCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void aShortRunWarmsUpAndPrintsBothStoresCostPerOperation() {
    Path data = dir.resolve("data");
    int exit = run("bench", "local", "--threads", "1,2", "--seconds", "1", "--warmup-seconds", "1", "--keys", "1000",
        "--dir", data.toString());
    assertThat(exit).as(out + "\n" + err).isZero();
    String metered = Files.isDirectory(Path.of("/proc")) ? "\\d+\\.\\d\\d" : "n/a";
    String cells = " \\| [\\d,]+ \\| [\\d,]+ \\| \\d+\\.\\d\\d \\| \\d+ \\| \\d+ \\| (\\d+|n/a) \\| (\\d+|n/a) \\| "
        + metered + " \\| " + metered + " \\|\\R";
    assertThat(out.toString())
        .contains("warming up (1 s of puts at 1 thread into each store, not measured)",
            "warming up (1 s of puts at 2 threads into each store, not measured)",
            "warming up (1 s of gets at 1 thread into each store, not measured)",
            "warming up (1 s of gets at 2 threads into each store, not measured)")
        .contains("| operation | threads | raw RocksDB ops/s | kvstore ops/s | ratio kvstore/raw | raw p99 us "
            + "| kvstore p99 us | raw CPU us/op | kvstore CPU us/op | raw ctx sw/op | kvstore ctx sw/op |")
        .containsPattern("\\| durable put \\| 1" + cells)
        .containsPattern("\\| durable put \\| 2" + cells)
        .containsPattern("\\| get \\(1k keys\\) \\| 1" + cells)
        .containsPattern("\\| get \\(1k keys\\) \\| 2" + cells);
  }

  @Test
  void aNegativeWarmUpIsRefusedAndCreatesNothing() {
    Path data = dir.resolve("never");
    int exit = run("bench", "local", "--warmup-seconds", "-1", "--dir", data.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--warmup-seconds must be between 0 and 3600");
    assertThat(data).doesNotExist();
  }
}
