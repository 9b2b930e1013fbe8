package dev.kvstore.core.internal.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers for the write-ahead log tests. */
final class WalTesting {
  private WalTesting() {}

  /** Replays everything after {@code afterSeq} into a list. */
  static List<WalRecord> replay(WriteAheadLog wal, long afterSeq) {
    List<WalRecord> records = new ArrayList<>();
    wal.replay(afterSeq, (seq, payload) -> records.add(new WalRecord(seq, payload)));
    return records;
  }

  /** Opens the log, replays it all and starts it with a listener that ignores groups. */
  static SegmentedWal openStarted(WalOptions options) {
    SegmentedWal wal = SegmentedWal.open(options);
    wal.replay(0, (seq, payload) -> {});
    wal.start(group -> {});
    return wal;
  }

  /** Opens the log and returns every record in it, then closes it. */
  static List<WalRecord> readAll(WalOptions options) {
    try (SegmentedWal wal = SegmentedWal.open(options)) {
      return replay(wal, 0);
    }
  }

  /** Appends and waits for the seq. */
  static long append(WriteAheadLog wal, byte[] payload) {
    return join(wal.append(payload));
  }

  /** Waits (bounded) for a future. */
  static <T> T join(CompletableFuture<T> future) {
    return future.orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** The payload "record-<i>" padded with {@code i % 7} extra bytes, so records differ in size. */
  static byte[] payload(long i) {
    return ("record-" + i + "-" + "x".repeat((int) (i % 7))).getBytes(StandardCharsets.UTF_8);
  }

  /** The segment files in {@code dir}, oldest first. */
  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> SegmentFormat.firstSeqOf(p.getFileName().toString()) >= 0)
          .sorted()
          .toList();
    }
  }

  /** The file name of the segment starting at {@code firstSeq}, spelled out as the format says. */
  static String segmentName(long firstSeq) {
    return "wal-" + String.format("%020d", firstSeq) + ".log";
  }
}
