package dev.kvstore.core.internal;

import dev.kvstore.clock.ClockEncodingException;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte form of a key's sibling set, as stored in the engine, the log and replication messages: the
 * clock module's {@link DvvSet} encoding, each sibling being one flag byte, the hybrid logical time (8-byte
 * milliseconds, 4-byte logical counter, big-endian), the operation id when the flag says so, and the value bytes.
 *
 * <p>The flag byte: bit 0 set for a tombstone, bit 1 set when an operation id follows the time (one byte of
 * client-id length, 1 to {@value OperationId#MAX_CLIENT_BYTES}, the UTF-8 client id, the 8-byte big-endian
 * sequence). Other bits must be clear; a client id that is not valid UTF-8 is refused (not replaced), so a set has
 * exactly one encoding. Flags 0 and 1 are the format before operation ids, so stored data of
 * earlier versions reads unchanged; a sibling with an operation id (flag 2 or 3) is refused by those versions
 * as a bad sibling value. Not API. Thread-safe (stateless).
 */
public final class SiblingCodec {
  private static final int HEADER = 13;
  private static final int TOMBSTONE = 1;
  private static final int HAS_OP = 2;

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
    byte[] client = v.op() == null ? null : v.op().client().getBytes(StandardCharsets.UTF_8);
    int opBytes = client == null ? 0 : 1 + client.length + 8;
    ByteBuffer b = ByteBuffer.allocate(HEADER + opBytes + value.length)
        .put((byte) ((v.isTombstone() ? TOMBSTONE : 0) | (client == null ? 0 : HAS_OP)))
        .putLong(v.time().physicalMillis())
        .putInt(v.time().logical());
    if (client != null) {
      b.put((byte) client.length).put(client).putLong(v.op().sequence());
    }
    return b.put(value).array();
  }

  static StoredValue decodeValue(byte[] bytes) {
    int flag = bytes.length > 0 ? bytes[0] : -1;
    if (bytes.length < HEADER || (flag & ~(TOMBSTONE | HAS_OP)) != 0) {
      throw new IllegalArgumentException("bad sibling value: " + bytes.length + " bytes, flag " + flag);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.get();
    HlcTimestamp time = new HlcTimestamp(b.getLong(), b.getInt());
    OperationId op = (flag & HAS_OP) != 0 ? readOp(b) : null;
    if ((flag & TOMBSTONE) != 0) {
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("bad sibling value: tombstone with " + b.remaining() + " value bytes");
      }
      return StoredValue.written(null, time, op);
    }
    return StoredValue.written(Arrays.copyOfRange(bytes, b.position(), bytes.length), time, op);
  }

  private static OperationId readOp(ByteBuffer b) {
    int length = b.hasRemaining() ? b.get() & 0xff : 0;
    if (length < 1 || length > OperationId.MAX_CLIENT_BYTES || b.remaining() < length + 8) {
      throw new IllegalArgumentException("bad sibling value: operation id with a client id of " + length
          + " bytes and " + b.remaining() + " bytes left");
    }
    String client;
    try { // strict: malformed UTF-8 is refused, not replaced, so a sibling set has one encoding
      client = StandardCharsets.UTF_8.newDecoder().decode(b.slice(b.position(), length)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("bad sibling value: the operation id's client id is not valid UTF-8");
    }
    b.position(b.position() + length);
    return new OperationId(client, b.getLong());
  }
}
