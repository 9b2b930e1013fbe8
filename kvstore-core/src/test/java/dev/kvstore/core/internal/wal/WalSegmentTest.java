package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.append;
import static dev.kvstore.core.internal.wal.WalTesting.openStarted;
import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static dev.kvstore.core.internal.wal.WalTesting.replay;
import static dev.kvstore.core.internal.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Durability;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WalSegmentTest {
  @TempDir Path dir;

  private WalOptions options(long segmentBytes) {
    return WalOptions.defaults(dir, Durability.ALWAYS).withSegmentBytes(segmentBytes);
  }

  private static long firstSeq(Path segment) {
    return SegmentFormat.firstSeqOf(segment.getFileName().toString());
  }

  /** The seq field of the first record in a segment file, read at its fixed offset. */
  private static long firstRecordSeq(Path segment) throws Exception {
    return ByteBuffer.wrap(Files.readAllBytes(segment)).getLong(8 + 8);
  }

  @Test
  void segmentsRollBeforeTheyWouldExceedSegmentBytes() throws Exception {
    try (SegmentedWal wal = openStarted(options(256))) {
      for (long i = 1; i <= 40; i++) {
        append(wal, payload(i));
      }
      assertThat(wal.stats().segments()).isEqualTo(segments(dir).size());
    }
    List<Path> all = segments(dir);
    assertThat(all).hasSizeGreaterThan(3);
    for (Path segment : all) {
      assertThat(Files.size(segment)).isLessThanOrEqualTo(256);
      assertThat(firstRecordSeq(segment)).isEqualTo(firstSeq(segment));
    }
    assertThat(firstSeq(all.get(0))).isEqualTo(1);
  }

  @Test
  void recordLargerThanASegmentGetsASegmentOfItsOwn() throws Exception {
    byte[] big = new byte[300];
    try (SegmentedWal wal = openStarted(options(64))) {
      append(wal, payload(1));
      append(wal, big);
      append(wal, payload(3));
    }
    assertThat(segments(dir)).extracting(WalSegmentTest::firstSeq).containsExactly(1L, 2L, 3L);
    assertThat(readAll(options(64))).extracting(WalRecord::seq).containsExactly(1L, 2L, 3L);
  }

  @Test
  void deleteThroughDeletesOnlyWhollyCoveredSegmentsAndNeverTheActiveOne() throws Exception {
    try (SegmentedWal wal = openStarted(options(256))) {
      for (long i = 1; i <= 40; i++) {
        append(wal, payload(i));
      }
      List<Long> firsts = segments(dir).stream().map(WalSegmentTest::firstSeq).toList();
      assertThat(firsts).hasSizeGreaterThan(3);

      wal.deleteThrough(firsts.get(1) - 2);
      assertThat(segments(dir))
          .extracting(WalSegmentTest::firstSeq)
          .containsExactlyElementsOf(firsts);

      wal.deleteThrough(firsts.get(2) - 1);
      assertThat(segments(dir))
          .extracting(WalSegmentTest::firstSeq)
          .containsExactlyElementsOf(firsts.subList(2, firsts.size()));
      assertThat(wal.stats().segments()).isEqualTo(firsts.size() - 2);

      wal.deleteThrough(Long.MAX_VALUE);
      assertThat(segments(dir))
          .extracting(WalSegmentTest::firstSeq)
          .containsExactly(firsts.get(firsts.size() - 1));

      assertThat(append(wal, payload(41))).isEqualTo(41);
    }
    long kept = firstSeq(segments(dir).get(0));
    try (SegmentedWal wal = SegmentedWal.open(options(256))) {
      assertThat(replay(wal, kept - 1))
          .extracting(WalRecord::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(kept, 41).boxed().toList());
    }
  }

  @Test
  void deleteThroughRunsSafelyWhileTheWriterRolls() throws Exception {
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    long deletedThrough;
    try (SegmentedWal wal = openStarted(options(128))) {
      Thread deleter =
          new Thread(
              () -> {
                while (!stop.get()) {
                  wal.deleteThrough(wal.lastSequence());
                }
              });
      deleter.start();
      for (long i = 1; i <= 500; i++) {
        futures.add(wal.append(payload(i)));
      }
      futures.forEach(WalTesting::join);
      stop.set(true);
      deleter.join();
      deletedThrough = firstSeq(segments(dir).get(0)) - 1;
    }
    assertThat(futures)
        .extracting(WalTesting::join)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 500).boxed().toList());
    try (SegmentedWal wal = SegmentedWal.open(options(128))) {
      assertThat(replay(wal, deletedThrough))
          .extracting(WalRecord::seq)
          .containsExactlyElementsOf(
              LongStream.rangeClosed(deletedThrough + 1, 500).boxed().toList());
    }
  }
}
