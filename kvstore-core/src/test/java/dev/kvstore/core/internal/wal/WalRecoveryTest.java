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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class WalRecoveryTest {
  private static final int HEADER = 8;
  private static final int RECORD_HEADER = 16;

  @TempDir Path dir;

  private static WalOptions options(Path directory) {
    return WalOptions.defaults(directory, Durability.ALWAYS).withSegmentBytes(256);
  }

  /** Writes records 1..count into {@code directory} through the log itself. */
  private static void writeLog(Path directory, long count) {
    try (SegmentedWal wal = openStarted(options(directory))) {
      for (long i = 1; i <= count; i++) {
        append(wal, payload(i));
      }
    }
  }

  private static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static Path copyLog(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    for (Path segment : segments(from)) {
      Files.copy(segment, to.resolve(segment.getFileName()));
    }
    return to;
  }

  private static Path lastSegment(Path directory) throws IOException {
    List<Path> all = segments(directory);
    return all.get(all.size() - 1);
  }

  private static List<WalRecord> openAndReplay(Path directory) {
    return readAll(options(directory));
  }

  @Test
  void tornLastRecordIsCutAtEveryOffsetAndAppendsContinue() throws Exception {
    Path source = dir.resolve("source");
    writeLog(source, 12);
    assertThat(segments(source)).hasSizeGreaterThan(1);
    byte[] pristine = Files.readAllBytes(lastSegment(source));
    int start = pristine.length - (RECORD_HEADER + payload(12).length);

    for (int cut = start; cut < pristine.length; cut++) {
      Path copy = copyLog(source, dir.resolve("cut-" + cut));
      Files.write(lastSegment(copy), Arrays.copyOf(pristine, cut));

      try (SegmentedWal wal = SegmentedWal.open(options(copy))) {
        assertThat(replay(wal, 0))
            .as("cut at %d", cut)
            .extracting(WalRecord::seq)
            .containsExactlyElementsOf(seqs(1, 11));
        wal.start(group -> {});
        assertThat(append(wal, "after".getBytes())).isEqualTo(12);
      }
      List<WalRecord> back = openAndReplay(copy);
      assertThat(back).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 12));
      assertThat(back.get(11).payload()).isEqualTo("after".getBytes());
    }
  }

  @Test
  void lastRecordPartlyZeroedIsCutAsATornTail() throws Exception {
    writeLog(dir, 5);
    Path last = lastSegment(dir);
    byte[] bytes = Files.readAllBytes(last);
    Arrays.fill(bytes, bytes.length - 5, bytes.length, (byte) 0);
    Files.write(last, bytes);

    assertThat(openAndReplay(dir)).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 4));
    assertThat(Files.size(last)).isEqualTo(bytes.length - RECORD_HEADER - payload(5).length);
  }

  @Test
  void zeroBytesAfterTheLastRecordAreACleanEnd() throws Exception {
    writeLog(dir, 5);
    Path last = lastSegment(dir);
    Files.write(last, new byte[4096], java.nio.file.StandardOpenOption.APPEND);

    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      assertThat(replay(wal, 0)).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 5));
      wal.start(group -> {});
      assertThat(append(wal, payload(6))).isEqualTo(6);
    }
    assertThat(openAndReplay(dir)).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 6));
  }

  @Test
  void randomGarbageAfterTheLastRecordIsCutAsATornTail() throws Exception {
    writeLog(dir, 5);
    Path last = lastSegment(dir);
    long goodSize = Files.size(last);
    Seeds.forEach(
        20,
        seed -> {
          byte[] garbage = new byte[1 + new Random(seed).nextInt(3000)];
          new Random(seed).nextBytes(garbage);
          Files.write(last, garbage, java.nio.file.StandardOpenOption.APPEND);

          assertThat(openAndReplay(dir))
              .extracting(WalRecord::seq)
              .containsExactlyElementsOf(seqs(1, 5));
          assertThat(Files.size(last)).isEqualTo(goodSize);
        });
  }

  @Test
  void flippedByteInAMiddleRecordOfTheLastSegmentIsCorruptionAtThatRecord() throws Exception {
    Path source = dir.resolve("source");
    try (SegmentedWal wal = openStarted(WalOptions.defaults(source, Durability.ALWAYS))) {
      for (long i = 1; i <= 5; i++) {
        append(wal, payload(i));
      }
    }
    Path segment = lastSegment(source);
    byte[] pristine = Files.readAllBytes(segment);
    int start = HEADER + RECORD_HEADER * 2 + payload(1).length + payload(2).length;
    int end = start + RECORD_HEADER + payload(3).length;

    for (int at = start; at < end; at++) {
      Path copy = copyLog(source, dir.resolve("flip-" + at));
      byte[] bytes = pristine.clone();
      bytes[at] ^= (byte) 0xFF;
      Files.write(copy.resolve(segment.getFileName()), bytes);

      CorruptLogException e =
          catchThrowableOfType(
              CorruptLogException.class,
              () -> readAll(WalOptions.defaults(copy, Durability.ALWAYS)));

      assertThat(e).as("flip at %d", at).isNotNull();
      assertThat(e.segment()).isEqualTo(copy.resolve(segmentName(1)));
      assertThat(e.offset()).as("flip at %d", at).isEqualTo(start);
      assertThat(e.getMessage()).contains(segmentName(1)).contains("offset " + start);
    }
  }

  @Test
  void flippedByteInAnEarlierSegmentIsCorruptionFoundByReplay() throws Exception {
    writeLog(dir, 12);
    Path first = segments(dir).get(0);
    byte[] bytes = Files.readAllBytes(first);
    int secondRecord = HEADER + RECORD_HEADER + payload(1).length;
    bytes[secondRecord + RECORD_HEADER + 2] ^= 0x01;
    Files.write(first, bytes);

    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      CorruptLogException e = catchThrowableOfType(CorruptLogException.class, () -> replay(wal, 0));
      assertThat(e.segment()).isEqualTo(first);
      assertThat(e.offset()).isEqualTo(secondRecord);
      assertThat(e).hasMessageContaining("checksum");
    }
  }

  @Test
  void tornRecordInAnEarlierSegmentIsCorruption() throws Exception {
    writeLog(dir, 12);
    Path first = segments(dir).get(0);
    byte[] bytes = Files.readAllBytes(first);
    Files.write(first, Arrays.copyOf(bytes, bytes.length - 3));

    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      CorruptLogException e = catchThrowableOfType(CorruptLogException.class, () -> replay(wal, 0));
      assertThat(e.segment()).isEqualTo(first);
      assertThat(e).hasMessageContaining("past end of file");
    }
  }

  @Test
  void badSegmentHeaderIsCorruptionAtOffsetZero() throws Exception {
    writeLog(dir, 12);
    List<Path> all = segments(dir);
    byte[][] pristine = new byte[all.size()][];
    for (int i = 0; i < all.size(); i++) {
      pristine[i] = Files.readAllBytes(all.get(i));
    }
    for (int i = 0; i < all.size(); i++) {
      for (int at = 0; at < 5; at++) {
        byte[] bytes = pristine[i].clone();
        bytes[at] ^= 0x20;
        Files.write(all.get(i), bytes);

        CorruptLogException e =
            catchThrowableOfType(CorruptLogException.class, () -> SegmentedWal.open(options(dir)));

        assertThat(e).as("segment %d byte %d", i, at).isNotNull();
        assertThat(e.segment()).isEqualTo(all.get(i));
        assertThat(e.offset()).isZero();
        assertThat(e).hasMessageContaining(at < 4 ? "magic" : "version");
        Files.write(all.get(i), pristine[i]);
      }
    }
  }

  @Test
  void segmentShorterThanItsHeaderIsCorruption() throws Exception {
    writeLog(dir, 3);
    Path last = lastSegment(dir);
    Files.write(last, new byte[] {'K', 'V', 'W'});

    CorruptLogException e =
        catchThrowableOfType(CorruptLogException.class, () -> SegmentedWal.open(options(dir)));

    assertThat(e.segment()).isEqualTo(last);
    assertThat(e.offset()).isZero();
  }

  @Test
  void sequenceGapInsideASegmentIsCorruption() throws Exception {
    Files.createDirectories(dir);
    Path file = dir.resolve(segmentName(1));
    writeSegment(file, 1, 2, 4);
    long third = HEADER + 2L * RECORD_HEADER + payload(1).length + payload(2).length;

    CorruptLogException e =
        catchThrowableOfType(CorruptLogException.class, () -> openAndReplay(dir));

    assertThat(e.segment()).isEqualTo(file);
    assertThat(e.offset()).isEqualTo(third);
    assertThat(e).hasMessageContaining("seq 4").hasMessageContaining("expected 3");
  }

  @Test
  void segmentWhoseNameDisagreesWithItsFirstRecordIsCorruption() throws Exception {
    Files.createDirectories(dir);
    Path file = dir.resolve(segmentName(5));
    writeSegment(file, 1, 2);

    CorruptLogException e =
        catchThrowableOfType(CorruptLogException.class, () -> SegmentedWal.open(options(dir)));

    assertThat(e.segment()).isEqualTo(file);
    assertThat(e.offset()).isEqualTo(HEADER);
  }

  @Test
  void missingMiddleSegmentIsCorruptionNamingTheSegmentBeforeTheGap() throws Exception {
    writeLog(dir, 20);
    List<Path> all = segments(dir);
    assertThat(all).hasSizeGreaterThanOrEqualTo(3);
    Files.delete(all.get(1));

    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      CorruptLogException e = catchThrowableOfType(CorruptLogException.class, () -> replay(wal, 0));
      assertThat(e.segment()).isEqualTo(all.get(0));
      assertThat(e).hasMessageContaining("missing");
    }
  }

  @Test
  void logStartingAfterTheEnginesDurableSeqIsRefused() throws Exception {
    writeLog(dir, 20);
    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      wal.deleteThrough(10);
    }
    long firstKept = SegmentFormat.firstSeqOf(segments(dir).get(0).getFileName().toString());
    assertThat(firstKept).isGreaterThan(2);

    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      assertThatThrownBy(() -> replay(wal, 0))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(CorruptLogException.class)
          .hasMessageContaining("missing");
    }
    try (SegmentedWal wal = SegmentedWal.open(options(dir))) {
      assertThat(replay(wal, firstKept - 1))
          .extracting(WalRecord::seq)
          .containsExactlyElementsOf(seqs(firstKept, 20));
    }
  }

  @Test
  void unfinishedSegmentCreationIsRemovedAtOpen() throws Exception {
    writeLog(dir, 3);
    Path leftover = dir.resolve(segmentName(4) + ".tmp");
    Files.write(leftover, new byte[] {'K', 'V'});

    assertThat(openAndReplay(dir)).extracting(WalRecord::seq).containsExactlyElementsOf(seqs(1, 3));
    assertThat(leftover).doesNotExist();
  }

  private static void writeSegment(Path file, long... seqs) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4096);
    b.put(SegmentFormat.header());
    for (long seq : seqs) {
      SegmentFormat.putRecord(b, seq, payload(seq));
    }
    b.flip();
    Files.write(file, Arrays.copyOf(b.array(), b.limit()));
  }
}
