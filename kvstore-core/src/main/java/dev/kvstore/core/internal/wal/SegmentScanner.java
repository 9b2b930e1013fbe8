package dev.kvstore.core.internal.wal;

import dev.kvstore.core.CorruptLogException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the records of one segment and applies the recovery rules: a zero tail is a clean end; a
 * bad record (impossible length, past end of file, checksum mismatch) is a torn tail only when
 * tolerated (the last segment) and no valid record starts at any later offset; anything else is
 * corruption.
 *
 * <p>Not thread-safe: one recovery thread uses it.
 */
final class SegmentScanner {

  /**
   * What a scan found.
   *
   * @param lastSeq the sequence number of the last good record, or {@code firstSeq - 1} if there is
   *     none
   * @param end the offset just after the last good record
   * @param torn whether a torn tail starts at {@code end} (otherwise the file ends there or only
   *     zeros follow)
   */
  record Result(long lastSeq, long end, boolean torn) {}

  private final SegmentReader reader;
  private final long firstSeq;

  SegmentScanner(SegmentReader reader, long firstSeq) {
    this.reader = reader;
    this.firstSeq = firstSeq;
  }

  /** Checks the segment header. */
  void checkHeader() throws IOException {
    ByteBuffer header = reader.head(SegmentFormat.HEADER_BYTES);
    String problem = SegmentFormat.headerProblem(header);
    if (problem != null) {
      throw new CorruptLogException(reader.path(), 0, problem);
    }
  }

  /**
   * Checks the header and scans every record, handing those above {@code afterSeq} to {@code
   * handler} (null: check only).
   *
   * @param tolerateTornTail whether a bad record with nothing valid after it ends the segment
   * @throws CorruptLogException on a bad header, a sequence gap, or a bad record that is not a torn
   *     tail
   */
  Result scan(boolean tolerateTornTail, long afterSeq, RecordHandler handler) throws IOException {
    checkHeader();
    long offset = SegmentFormat.HEADER_BYTES;
    long expected = firstSeq;
    while (offset < reader.size()) {
      String problem = problemAt(offset);
      if (problem == null) {
        ByteBuffer head = reader.bytes(offset, SegmentFormat.RECORD_HEADER_BYTES);
        int length = SegmentFormat.length(head);
        long seq = SegmentFormat.seq(head);
        if (seq != expected) {
          throw new CorruptLogException(
              reader.path(), offset, "record has seq " + seq + ", expected " + expected);
        }
        if (handler != null && seq > afterSeq) {
          ByteBuffer payload = reader.bytes(offset + SegmentFormat.RECORD_HEADER_BYTES, length);
          byte[] copy = new byte[length];
          payload.get(copy);
          handler.accept(seq, copy);
        }
        offset += SegmentFormat.recordBytes(length);
        expected++;
      } else if (reader.zeroFrom(offset)) {
        return new Result(expected - 1, offset, false);
      } else if (tolerateTornTail && !validRecordAfter(offset, expected - 1)) {
        return new Result(expected - 1, offset, true);
      } else {
        throw new CorruptLogException(reader.path(), offset, problem);
      }
    }
    return new Result(expected - 1, offset, false);
  }

  /** What is wrong with the record at {@code offset} (its seq aside), or null if it is intact. */
  private String problemAt(long offset) throws IOException {
    long remaining = reader.size() - offset;
    if (remaining < SegmentFormat.RECORD_HEADER_BYTES) {
      return "record header runs past end of file (" + remaining + " bytes left)";
    }
    ByteBuffer head = reader.bytes(offset, SegmentFormat.RECORD_HEADER_BYTES);
    int length = SegmentFormat.length(head);
    int stored = SegmentFormat.storedCrc(head);
    long seq = SegmentFormat.seq(head);
    if (!SegmentFormat.lengthPossible(length)) {
      return "impossible record length " + length;
    }
    if (SegmentFormat.recordBytes(length) > remaining) {
      return "record of "
          + length
          + " payload bytes runs past end of file ("
          + remaining
          + " bytes left)";
    }
    ByteBuffer payload = reader.bytes(offset + SegmentFormat.RECORD_HEADER_BYTES, length);
    int actual = SegmentFormat.crc(length, seq, payload);
    return actual == stored
        ? null
        : String.format("checksum mismatch (stored %08x, computed %08x)", stored, actual);
  }

  /**
   * Whether a valid record starts at any offset after {@code badOffset}: a possible length that
   * fits, a seq that continues the numbering ({@code lastGoodSeq < seq <= lastGoodSeq + 1 +
   * distance / 16}, as each record takes at least 16 bytes), and a matching checksum.
   */
  private boolean validRecordAfter(long badOffset, long lastGoodSeq) throws IOException {
    long last = reader.size() - SegmentFormat.RECORD_HEADER_BYTES;
    for (long at = badOffset + 1; at <= last; at++) {
      ByteBuffer head = reader.bytes(at, SegmentFormat.RECORD_HEADER_BYTES);
      int length = SegmentFormat.length(head);
      long seq = SegmentFormat.seq(head);
      long maxSeq = lastGoodSeq + 1 + (at - badOffset) / SegmentFormat.RECORD_HEADER_BYTES;
      boolean plausible =
          SegmentFormat.lengthPossible(length)
              && at + SegmentFormat.recordBytes(length) <= reader.size()
              && seq > lastGoodSeq
              && seq <= maxSeq;
      if (plausible && problemAt(at) == null) {
        return true;
      }
    }
    return false;
  }
}
