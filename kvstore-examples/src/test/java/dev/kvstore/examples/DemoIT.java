package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code kvstore demo} as a user runs it, in its own JVM: the story alone on stdout, the logs in files. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoIT {
  @TempDir Path dir;

  @Test
  void theStoryIsAloneOnStandardOutputAndTheLogsGoToFiles() throws Exception {
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Path data = dir.resolve("demo");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.kvstore.examples.KvstoreCommand", "demo", "--dir", data.toString()))
        .redirectInput(new File("/dev/null")).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    try {
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
      String story = Files.readString(stdout);
      assertThat(p.exitValue()).as(story).isZero();
      assertThat(story).contains("All 9 steps held.", "logs: " + data.resolve("demo.log"))
          .doesNotContain(" INFO ", " WARN ", "dev.kvstore.");
      assertThat(Files.readString(stderr)).isEmpty();
      assertThat(Files.readString(data.resolve("demo.log"))).contains("INFO", "node n1 stopped");
    } finally {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
