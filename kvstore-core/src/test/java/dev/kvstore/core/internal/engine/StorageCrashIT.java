package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Durability;
import dev.kvstore.core.internal.wal.SegmentedWal;
import dev.kvstore.core.internal.wal.WalOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a process writing through the log into a RocksDB engine, several times, and
 * checks that every acknowledged write survives recovery: the engine's durable sequence number plus
 * the log's tail reproduce at least every acknowledged value.
 */
@Timeout(180)
class StorageCrashIT {
  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveKillNine() throws Exception {
    Map<String, Long> acked = new HashMap<>();
    Random random = new Random(42);
    for (int round = 1; round <= 3; round++) {
      runAndKill(round, 300 + random.nextInt(700), acked);
    }

    RocksDbEngine engine = RocksDbEngine.open(dir.resolve("engine"));
    try (SegmentedWal wal =
        SegmentedWal.open(WalOptions.defaults(dir.resolve("wal"), Durability.ALWAYS))) {
      wal.replay(
          engine.durableSequence(),
          (seq, payload) -> engine.apply(seq, List.of(StorageCrashChild.decode(payload))));
    }
    try (engine) {
      assertThat(acked).hasSize(97);
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        byte[] stored = engine.get(e.getKey().getBytes(StandardCharsets.UTF_8));
        assertThat(stored).as("key %s", e.getKey()).isNotNull();
        assertThat(ByteBuffer.wrap(stored).getLong())
            .as("key %s", e.getKey())
            .isGreaterThanOrEqualTo(e.getValue());
      }
    }
  }

  private void runAndKill(int round, int acks, Map<String, Long> acked) throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StorageCrashChild.class.getName(),
                dir.toString(),
                Integer.toString(round))
            .redirectError(dir.resolve("child-" + round + ".log").toFile())
            .start();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("READY");
      for (int seen = 0; seen < acks; seen++) {
        String[] ack = lines.readLine().split(" ");
        acked.merge(ack[1], Long.parseLong(ack[2]), Math::max);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }
}
