package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kill -9 while writing: a child JVM writes with durability ALWAYS and prints each key as its put returns;
 * it is killed with SIGKILL at a random moment, the store is reopened, and every acknowledged key must hold
 * its acknowledged value (or a later one of the same key). Six kills per engine, on the same directory, so
 * recovery also runs over logs that earlier recoveries and checkpoints left behind. Seed: -Dkvstore.seed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashIT {
  private static final int KILLS = 6;
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(EngineType.class)
  void everyAcknowledgedWriteSurvivesSigkill(EngineType engine) throws Exception {
    long seed = Long.getLong("kvstore.seed", System.nanoTime());
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, String> acked = new HashMap<>();
    for (int run = 0; run < KILLS; run++) {
      int killAfter = 50 + random.nextInt(3000);
      Map<String, String> ackedThisRun = runAndKill(engine, run, killAfter);
      assertThat(ackedThisRun).as("seed %d run %d: the child acknowledged writes", seed, run).isNotEmpty();
      acked.putAll(ackedThisRun);
      String killed = incarnation();
      try (KvStore store = KvStore.local().dataDirectory(dir).nodeId("crash").engine(engine).open()) {
        assertThat(incarnation()).as("seed %d run %d: a killed store's directory opens as a new incarnation", seed, run)
            .isNotEqualTo(killed);
        for (Map.Entry<String, String> e : acked.entrySet()) {
          List<String> values = store.get(e.getKey()).strings();
          assertThat(values).as("seed %d run %d key %s", seed, run, e.getKey()).containsExactly(e.getValue());
        }
      }
    }
  }

  private String incarnation() throws java.io.IOException {
    java.util.Properties p = new java.util.Properties();
    p.load(new java.io.StringReader(java.nio.file.Files.readString(dir.resolve("IDENTITY"))));
    return p.getProperty("incarnation");
  }

  /** Sends SIGKILL with kill(1), which (unlike Process.destroyForcibly) leaves our end of the pipe readable. */
  private static void sigkill(Process child) throws Exception {
    Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -KILL %d", child.pid()).isZero();
  }

  /** Runs the child until it acknowledged {@code killAfter} puts, SIGKILLs it, returns the last value per key. */
  private Map<String, String> runAndKill(EngineType engine, int run, int killAfter) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), engine.name(), Integer.toString(run))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    Map<String, String> acked = new HashMap<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      int count = 0;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ok ")) {
          String[] parts = line.split(" ", 3);
          acked.put(parts[1], parts[2]);
          if (++count == killAfter) {
            sigkill(child);
            break;
          }
        }
      }
      // Lines printed before the kill are acknowledged writes too: read the pipe to its end.
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ok ")) {
          String[] parts = line.split(" ", 3);
          acked.put(parts[1], parts[2]);
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(child.exitValue()).as("killed by SIGKILL (137)").isEqualTo(137);
    return acked;
  }
}
