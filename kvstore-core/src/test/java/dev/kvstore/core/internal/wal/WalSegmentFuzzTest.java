package dev.kvstore.core.internal.wal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kvstore.clock.testing.FuzzCorpus;
import dev.kvstore.clock.testing.FuzzInput;
import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the write-ahead log's segment reader, through recovery as a store runs it: the input is the one
 * segment of a log directory, which {@link SegmentedWal#open} checks (cutting a torn tail) and {@link
 * SegmentedWal#replay} reads. Documented failure: {@link CorruptLogException}. A log that opened reopens to the same
 * records, numbered from 1 without a gap. Forces are skipped (the files are scratch). See docs/security.md,
 * "Fuzzing"; the corpus is in {@code WalSegmentFuzzTestInputs/segment}.
 */
class WalSegmentFuzzTest {
  @TempDir static Path dir;

  @FuzzTest(maxDuration = "6s")
  void segment(byte[] input) {
    List<List<WalRecord>> read = new ArrayList<>();
    if (FuzzInput.check(input, () -> read.add(recover(input)), CorruptLogException.class)) {
      List<WalRecord> records = read.get(read.size() - 1);
      for (int i = 0; i < records.size(); i++) {
        assertThat(records.get(i).seq()).isEqualTo(i + 1);
      }
      assertThat(readAll(options())).usingRecursiveFieldByFieldElementComparator().isEqualTo(records);
    }
  }

  @Test
  void seedsAreValidSegmentsInTheCorpus() throws IOException {
    FuzzCorpus.verify(WalSegmentFuzzTest.class, "segment", validInputs(),
        in -> FuzzInput.check(in, () -> recover(in), CorruptLogException.class));
  }

  /** Makes {@code segment} the log's only segment, then opens the log and reads it all. */
  private static List<WalRecord> recover(byte[] segment) throws IOException {
    Files.write(dir.resolve(SegmentFormat.fileName(1)), segment);
    return readAll(options());
  }

  private static WalOptions options() {
    return WalOptions.defaults(dir, Durability.NEVER).withChannelFactory(new CountingChannelFactory().skipRealForces());
  }

  private static List<WalRecord> readAll(WalOptions options) {
    try (SegmentedWal wal = SegmentedWal.open(options)) {
      return WalTesting.replay(wal, 0);
    }
  }

  /** Valid segments (a zero tail and a torn tail among them), written to the corpus by {@code FuzzCorpusTest}. */
  static List<byte[]> validInputs() {
    return List.of(
        segment(0, 0),
        segment(3, 0),
        segment(5, 64),
        torn(segment(4, 0), 7));
  }

  private static byte[] segment(int records, int zeros) {
    List<byte[]> payloads = new ArrayList<>();
    int size = SegmentFormat.HEADER_BYTES + zeros;
    for (int i = 1; i <= records; i++) {
      byte[] p = ("record-" + i + "-" + "x".repeat(i % 5)).getBytes(StandardCharsets.UTF_8);
      payloads.add(p);
      size += SegmentFormat.recordBytes(p.length);
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(SegmentFormat.ORDER).put(SegmentFormat.header());
    for (int i = 0; i < payloads.size(); i++) {
      SegmentFormat.putRecord(b, i + 1, payloads.get(i));
    }
    return b.array();
  }

  /** A segment whose last record lost its last {@code cut} bytes (a torn write). */
  private static byte[] torn(byte[] segment, int cut) {
    return java.util.Arrays.copyOf(segment, segment.length - cut);
  }

}
