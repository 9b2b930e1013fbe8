package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.append;
import static dev.kvstore.core.internal.wal.WalTesting.openStarted;
import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static dev.kvstore.core.internal.wal.WalTesting.replay;
import static dev.kvstore.core.internal.wal.WalTesting.segmentName;
import static dev.kvstore.core.internal.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WalRoundTripTest {
  @TempDir Path dir;

  private WalOptions options() {
    return WalOptions.defaults(dir, Durability.ALWAYS);
  }

  @Test
  void recordsReplayInOrderAcrossSegmentsAfterReopen() throws Exception {
    WalOptions small = options().withSegmentBytes(256);
    try (SegmentedWal wal = openStarted(small)) {
      for (long i = 1; i <= 40; i++) {
        assertThat(append(wal, payload(i))).isEqualTo(i);
      }
    }
    assertThat(segments(dir)).hasSizeGreaterThan(3);

    List<WalRecord> back = readAll(small);

    assertThat(back)
        .extracting(WalRecord::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    assertThat(back).allSatisfy(r -> assertThat(r.payload()).isEqualTo(payload(r.seq())));
  }

  @Test
  void newLogIsEmptyAndStartsAtSeqOne() throws Exception {
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      assertThat(wal.lastSequence()).isZero();
      assertThat(replay(wal, 0)).isEmpty();
      assertThat(wal.stats().segments()).isZero();
      wal.start(group -> {});
      assertThat(append(wal, payload(1))).isEqualTo(1);
    }
    assertThat(segments(dir))
        .extracting(p -> p.getFileName().toString())
        .containsExactly(segmentName(1));
  }

  @Test
  void reopenedLogContinuesSequenceNumbers() {
    try (SegmentedWal wal = openStarted(options())) {
      append(wal, payload(1));
      append(wal, payload(2));
      append(wal, payload(3));
    }
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      assertThat(wal.lastSequence()).isEqualTo(3);
      assertThat(wal.replay(0, (seq, p) -> {})).isEqualTo(3);
      wal.start(group -> {});
      assertThat(append(wal, payload(4))).isEqualTo(4);
    }
    assertThat(readAll(options())).extracting(WalRecord::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void replayHandsOverOnlyRecordsAfterTheGivenSeq() {
    try (SegmentedWal wal = openStarted(options())) {
      for (long i = 1; i <= 10; i++) {
        append(wal, payload(i));
      }
    }
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      List<WalRecord> tail = new java.util.ArrayList<>();
      assertThat(wal.replay(6, (seq, p) -> tail.add(new WalRecord(seq, p)))).isEqualTo(10);
      assertThat(tail)
          .containsExactly(
              new WalRecord(7, payload(7)),
              new WalRecord(8, payload(8)),
              new WalRecord(9, payload(9)),
              new WalRecord(10, payload(10)));
    }
  }

  @Test
  void replayAfterASeqBeyondTheLogContinuesFromThereAndDropsTheOldSegments() throws Exception {
    try (SegmentedWal wal = openStarted(options())) {
      for (long i = 1; i <= 5; i++) {
        append(wal, payload(i));
      }
    }
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      assertThat(replay(wal, 20)).isEmpty();
      assertThat(wal.lastSequence()).isEqualTo(20);
      wal.start(group -> {});
      assertThat(append(wal, payload(21))).isEqualTo(21);
    }
    assertThat(segments(dir))
        .extracting(p -> p.getFileName().toString())
        .containsExactly(segmentName(21));
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      assertThat(replay(wal, 20)).containsExactly(new WalRecord(21, payload(21)));
    }
  }

  @Test
  void startWithoutReplayAppendsAfterTheLastRecord() {
    try (SegmentedWal wal = openStarted(options())) {
      append(wal, payload(1));
      append(wal, payload(2));
    }
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      wal.start(group -> {});
      assertThat(append(wal, payload(3))).isEqualTo(3);
    }
  }

  @Test
  void emptyAndLargestPayloadsRoundTrip() {
    WalOptions limited = options().withMaxRecordBytes(1000);
    byte[] largest = new byte[1000];
    largest[999] = 42;
    try (SegmentedWal wal = openStarted(limited)) {
      append(wal, new byte[0]);
      append(wal, largest);
    }
    assertThat(readAll(limited))
        .containsExactly(new WalRecord(1, new byte[0]), new WalRecord(2, largest));
  }

  @Test
  void replayTwiceOrAfterStartIsRejected() {
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      wal.replay(0, (seq, p) -> {});
      assertThatThrownBy(() -> wal.replay(0, (seq, p) -> {}))
          .isInstanceOf(IllegalStateException.class);
      wal.start(group -> {});
      assertThatThrownBy(() -> wal.start(group -> {})).isInstanceOf(IllegalStateException.class);
    }
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      wal.start(group -> {});
      assertThatThrownBy(() -> wal.replay(0, (seq, p) -> {}))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void listenerHasSeenARecordBeforeItsFutureCompletes() {
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    try (SegmentedWal wal = SegmentedWal.open(options())) {
      wal.replay(0, (seq, p) -> {});
      wal.start(group -> group.forEach(r -> seen.add(r.seq())));
      for (int i = 1; i <= 20; i++) {
        long seq = append(wal, payload(i));
        assertThat(seen).contains(seq);
      }
    }
  }

  @Test
  void statsCountAppendsGroupsForcesAndBytes() {
    try (SegmentedWal wal = openStarted(options())) {
      long expectedBytes = 0;
      for (int i = 1; i <= 5; i++) {
        append(wal, payload(i));
        expectedBytes += 16 + payload(i).length;
      }
      WalStats stats = wal.stats();
      assertThat(stats.appends()).isEqualTo(5);
      assertThat(stats.groups()).isEqualTo(5);
      assertThat(stats.forces()).isEqualTo(5);
      assertThat(stats.bytes()).isEqualTo(expectedBytes);
      assertThat(stats.segments()).isEqualTo(1);
    }
  }

  @Test
  void optionsRejectValuesOutOfRange() {
    assertThatThrownBy(() -> options().withSegmentBytes(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentBytes");
    assertThatThrownBy(() -> options().withMaxRecordBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRecordBytes");
    assertThatThrownBy(() -> options().withMaxRecordBytes((1 << 30) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRecordBytes");
    assertThatThrownBy(() -> WalOptions.defaults(null, Durability.ALWAYS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("directory");
    assertThatThrownBy(() -> options().withDurability(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("durability");
  }
}
