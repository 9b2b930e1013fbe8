package dev.kvstore.core.internal;

import dev.kvstore.clock.ClockEncodingException;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The byte form of a key's sibling set, as stored in the engine, the log and replication messages: the
 * clock module's {@link DvvSet} encoding, each sibling being one flag byte (0 value, 1 tombstone), the
 * hybrid logical time (8-byte milliseconds, 4-byte logical counter, big-endian) and the value bytes.
 * Not API. Thread-safe (stateless).
 */
public final class SiblingCodec {
  private static final int HEADER = 13;

  private SiblingCodec() {}

  /** Encodes a sibling set. */
  public static byte[] encode(DvvSet<StoredValue> set) {
    return set.toBytes(SiblingCodec::encodeValue);
  }

  /**
   * Decodes a sibling set.
   *
   * @throws ClockEncodingException (an IllegalArgumentException) if the bytes are not a sibling set
   */
  public static DvvSet<StoredValue> decode(byte[] bytes) {
    return DvvSet.fromBytes(bytes, SiblingCodec::decodeValue);
  }

  static byte[] encodeValue(StoredValue v) {
    byte[] value = v.value() == null ? new byte[0] : v.value();
    return ByteBuffer.allocate(HEADER + value.length)
        .put((byte) (v.isTombstone() ? 1 : 0))
        .putLong(v.time().physicalMillis())
        .putInt(v.time().logical())
        .put(value)
        .array();
  }

  static StoredValue decodeValue(byte[] bytes) {
    if (bytes.length < HEADER || (bytes[0] != 0 && bytes[0] != 1)) {
      throw new IllegalArgumentException("bad sibling value: " + bytes.length + " bytes, flag " + (bytes.length > 0 ? bytes[0] : -1));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    boolean tombstone = b.get() == 1;
    HlcTimestamp time = new HlcTimestamp(b.getLong(), b.getInt());
    if (tombstone) {
      if (bytes.length != HEADER) {
        throw new IllegalArgumentException("bad sibling value: tombstone with " + (bytes.length - HEADER) + " value bytes");
      }
      return StoredValue.tombstone(time);
    }
    return StoredValue.of(Arrays.copyOfRange(bytes, HEADER, bytes.length), time);
  }
}
