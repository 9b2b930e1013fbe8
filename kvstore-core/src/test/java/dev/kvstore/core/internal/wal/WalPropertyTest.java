package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.core.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random appends, segment deletions, reopens (with the engine at or ahead of the log) and torn
 * tails, checked against a model of what the log must hold.
 */
@Timeout(120)
class WalPropertyTest {
  @TempDir Path root;

  @Test
  void logHoldsExactlyTheModelRecordsThroughDeletesReopensAndTornTails() {
    Seeds.forEach(200, seed -> new Run(seed, root.resolve("seed-" + seed)).run());
  }

  /** One seeded run against its own directory. */
  private static final class Run {
    private final Random random;
    private final WalOptions options;
    private final TreeMap<Long, byte[]> model =
        new TreeMap<>(); // seq -> payload, records after engineDurable
    private long last; // highest seq the log must report
    private long engineDurable; // what the "engine" is durable through
    private SegmentedWal wal;

    Run(long seed, Path directory) {
      this.random = new Random(seed);
      Durability durability = random.nextInt(4) == 0 ? Durability.ALWAYS : Durability.NEVER;
      this.options =
          WalOptions.defaults(directory, durability)
              .withSegmentBytes(
                  random.nextBoolean() ? 256 + random.nextInt(1024) : 2048 + random.nextInt(16384))
              .withMaxRecordBytes(300)
              .withChannelFactory(new CountingChannelFactory().skipRealForces());
    }

    void run() throws IOException {
      wal = WalTesting.openStarted(options);
      try {
        for (int step = 0; step < 20; step++) {
          int action = random.nextInt(10);
          if (action < 5) {
            appendBatch();
          } else if (action < 7) {
            deleteSome();
          } else if (action < 9) {
            reopen();
          } else {
            tearTail();
          }
        }
        reopen();
      } finally {
        wal.close();
      }
    }

    private void appendBatch() {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      List<byte[]> payloads = new ArrayList<>();
      for (int n = 1 + random.nextInt(12); n > 0; n--) {
        byte[] payload = new byte[random.nextInt(301)];
        random.nextBytes(payload);
        payloads.add(payload);
        futures.add(wal.append(payload));
      }
      for (int i = 0; i < futures.size(); i++) {
        long seq = WalTesting.join(futures.get(i));
        assertThat(seq).isEqualTo(last + 1);
        last = seq;
        model.put(seq, payloads.get(i));
      }
      assertThat(wal.lastSequence()).isEqualTo(last);
    }

    private void deleteSome() {
      engineDurable =
          Math.max(engineDurable, engineDurable + random.nextInt((int) (last - engineDurable) + 1));
      model.headMap(engineDurable, true).clear();
      wal.deleteThrough(engineDurable);
    }

    private void reopen() {
      wal.close();
      long afterSeq = engineDurable + random.nextInt((int) (last - engineDurable) + 3);
      wal = SegmentedWal.open(options);
      assertThat(wal.lastSequence()).isEqualTo(last);
      TreeMap<Long, byte[]> replayed = new TreeMap<>();
      long returned =
          wal.replay(afterSeq, (seq, payload) -> assertThat(replayed.put(seq, payload)).isNull());
      model.headMap(afterSeq, true).clear();
      assertThat(replayed.keySet()).containsExactlyElementsOf(model.keySet());
      for (Map.Entry<Long, byte[]> e : model.entrySet()) {
        assertThat(replayed.get(e.getKey())).isEqualTo(e.getValue());
      }
      assertThat(returned).isEqualTo(Math.max(last, afterSeq));
      engineDurable = afterSeq;
      last = returned;
      wal.start(group -> {});
    }

    private void tearTail() throws IOException {
      List<Path> all = segments(options.directory());
      Path lastSegment = all.get(all.size() - 1);
      if (model.isEmpty() || model.lastKey() != last || Files.size(lastSegment) <= 8) {
        return;
      }
      wal.close();
      int recordBytes = 16 + model.lastEntry().getValue().length;
      try (FileChannel channel = FileChannel.open(lastSegment, StandardOpenOption.WRITE)) {
        channel.truncate(channel.size() - 1 - random.nextInt(recordBytes - 1));
      }
      model.remove(last);
      last--;
      wal = SegmentedWal.open(options);
      assertThat(wal.lastSequence()).isEqualTo(last);
      wal.replay(engineDurable, (seq, payload) -> {});
      wal.start(group -> {});
    }
  }
}
