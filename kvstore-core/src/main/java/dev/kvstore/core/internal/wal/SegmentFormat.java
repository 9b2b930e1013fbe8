package dev.kvstore.core.internal.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The byte layout of a log segment; the only class that knows it (docs/storage.md describes it in
 * prose).
 *
 * <pre>
 * file name  wal-&lt;seq of its first record, 20 decimal digits, zero padded&gt;.log
 * header     8 bytes: magic "KVWL" (4 ASCII bytes), format version (1 byte, = 1),
 *            3 reserved zero bytes
 * record     int    length   payload length in bytes, 0..2^30
 *            int    crc      CRC32C over the 4 length bytes, the 8 seq bytes, then the payload
 *            long   seq      sequence number, one more than the previous record's
 *            byte[] payload
 * </pre>
 *
 * All integers are big-endian. Records follow the header back to back; a segment ends at end of
 * file or where only zero bytes remain.
 *
 * <p>Stateless and thread-safe.
 */
final class SegmentFormat {
  /** The segment magic, "KVWL". */
  static final byte[] MAGIC = "KVWL".getBytes(StandardCharsets.US_ASCII);

  /** The format version this code writes and reads. */
  static final byte VERSION = 1;

  /** Bytes of the segment header. */
  static final int HEADER_BYTES = 8;

  /** Bytes of a record before its payload: length, crc, seq. */
  static final int RECORD_HEADER_BYTES = 16;

  /** The largest payload the format allows, 1 GiB; a larger length field is impossible. */
  static final int MAX_PAYLOAD_BYTES = 1 << 30;

  /** The byte order of every integer. */
  static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

  /** The suffix of a segment being created, renamed away once its header is durable. */
  static final String TEMP_SUFFIX = ".tmp";

  private static final Pattern NAME = Pattern.compile("wal-(\\d{20})\\.log");

  private SegmentFormat() {}

  /** The file name of the segment whose first record has sequence number {@code firstSeq}. */
  static String fileName(long firstSeq) {
    return String.format("wal-%020d.log", firstSeq);
  }

  /**
   * The first sequence number encoded in a segment file name, or -1 if the name is not a segment's.
   */
  static long firstSeqOf(String fileName) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      return -1;
    }
    try {
      return Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1; // 20 digits above Long.MAX_VALUE: not one of ours
    }
  }

  /** A fresh buffer holding the segment header, ready to write. */
  static ByteBuffer header() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ORDER);
    b.put(MAGIC).put(VERSION).put(new byte[3]).flip();
    return b;
  }

  /**
   * What is wrong with a segment header, or null if it is good.
   *
   * @param header the first bytes of the file (fewer than {@link #HEADER_BYTES} if the file is
   *     shorter)
   */
  static String headerProblem(ByteBuffer header) {
    if (header.remaining() < HEADER_BYTES) {
      return "segment is "
          + header.remaining()
          + " bytes, shorter than its "
          + HEADER_BYTES
          + "-byte header";
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (header.get(header.position() + i) != MAGIC[i]) {
        return "bad magic (expected \"KVWL\")";
      }
    }
    byte version = header.get(header.position() + MAGIC.length);
    return version == VERSION
        ? null
        : "unsupported format version " + version + " (expected " + VERSION + ")";
  }

  /** Bytes a record with a payload of {@code payloadLength} bytes takes on disk. */
  static int recordBytes(int payloadLength) {
    return RECORD_HEADER_BYTES + payloadLength;
  }

  /** Appends one encoded record to {@code dst}, which must have room for it. */
  static void putRecord(ByteBuffer dst, long seq, byte[] payload) {
    dst.putInt(payload.length)
        .putInt(crc(payload.length, seq, ByteBuffer.wrap(payload)))
        .putLong(seq)
        .put(payload);
  }

  /** Whether {@code length} can be a payload length at all. */
  static boolean lengthPossible(int length) {
    return length >= 0 && length <= MAX_PAYLOAD_BYTES;
  }

  /** The length field of the record header starting at {@code b}'s position. */
  static int length(ByteBuffer b) {
    return b.getInt(b.position());
  }

  /** The crc field of the record header starting at {@code b}'s position. */
  static int storedCrc(ByteBuffer b) {
    return b.getInt(b.position() + 4);
  }

  /** The seq field of the record header starting at {@code b}'s position. */
  static long seq(ByteBuffer b) {
    return b.getLong(b.position() + 8);
  }

  /**
   * The CRC32C of a record: over its length bytes, its seq bytes, then the payload's remaining
   * bytes.
   */
  static int crc(int length, long seq, ByteBuffer payload) {
    CRC32C crc = new CRC32C();
    ByteBuffer fields = ByteBuffer.allocate(12).order(ORDER).putInt(length).putLong(seq).flip();
    crc.update(fields);
    crc.update(payload.duplicate());
    return (int) crc.getValue();
  }
}
