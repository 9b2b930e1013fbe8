package dev.kvstore.clock.internal;

import dev.kvstore.clock.ClockEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounds-checked reader over an encoded clock value. Every read checks the remaining length first
 * and every count or length is checked against a limit and the remaining bytes before anything is
 * allocated, so hostile input can only ever produce a {@link ClockEncodingException}. Not API.
 *
 * <p>Not thread-safe: one reader per decoding.
 */
public final class ByteReader {
  private final byte[] bytes;
  private int pos;

  /**
   * Creates a reader over {@code bytes} (not copied; the caller must not change them while
   * reading).
   *
   * @throws NullPointerException if {@code bytes} is null
   */
  public ByteReader(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("bytes must not be null");
    }
    this.bytes = bytes;
  }

  /** Returns the offset of the next byte to read. */
  public int offset() {
    return pos;
  }

  /** Returns the number of bytes not yet read. */
  public int remaining() {
    return bytes.length - pos;
  }

  /**
   * Reads the leading format-version byte and checks it.
   *
   * @throws ClockEncodingException if the input is empty or the version is not {@code expected}
   */
  public void readVersion(int expected, String type) {
    int at = pos;
    int version = readByte(type + " format version");
    if (version != expected) {
      throw new ClockEncodingException(
          "unknown " + type + " format version " + version + ", expected " + expected, at);
    }
  }

  /**
   * Reads one unsigned byte.
   *
   * @throws ClockEncodingException if no byte is left
   */
  public int readByte(String what) {
    if (pos >= bytes.length) {
      throw truncated(what);
    }
    return bytes[pos++] & 0xFF;
  }

  /**
   * Reads an unsigned LEB128 varint in canonical (shortest) form, at most {@link Long#MAX_VALUE}.
   *
   * @throws ClockEncodingException if truncated, longer than 9 bytes, overflowing or not in
   *     shortest form
   */
  public long readVarLong(String what) {
    int start = pos;
    long result = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (pos >= bytes.length) {
        throw truncated(what);
      }
      int b = bytes[pos++] & 0xFF;
      if (shift == 56 && (b & 0x80) != 0) {
        throw new ClockEncodingException("varint " + what + " is longer than 9 bytes", start);
      }
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new ClockEncodingException("varint " + what + " is not in shortest form", start);
        }
        return result;
      }
    }
    throw new ClockEncodingException("varint " + what + " is longer than 9 bytes", start);
  }

  /**
   * Reads a varint and checks {@code min <= value <= max}.
   *
   * @throws ClockEncodingException if the varint is malformed or out of range
   */
  public long readVarLong(String what, long min, long max) {
    int start = pos;
    long v = readVarLong(what);
    if (v < min || v > max) {
      throw new ClockEncodingException(
          what + " " + v + " is out of range [" + min + ", " + max + "]", start);
    }
    return v;
  }

  /**
   * Reads a count of items each taking at least {@code minBytesPerItem} bytes, checking it against
   * {@code max} and the remaining input before the caller allocates anything for the items.
   *
   * @throws ClockEncodingException if the count is malformed, above {@code max} or cannot fit
   */
  public int readCount(String what, int max, int minBytesPerItem) {
    int start = pos;
    long n = readVarLong(what, 0, max);
    if (n * minBytesPerItem > remaining()) {
      throw new ClockEncodingException(
          what
              + " "
              + n
              + " needs at least "
              + n * minBytesPerItem
              + " more bytes but only "
              + remaining()
              + " remain",
          start);
    }
    return (int) n;
  }

  /**
   * Reads a varint length and that many bytes, at most {@code maxLength}.
   *
   * @throws ClockEncodingException if the length is malformed, above the limit or past the end
   */
  public byte[] readBlob(String what, int maxLength) {
    int start = pos;
    long len = readVarLong(what + " length", 0, maxLength);
    if (len > remaining()) {
      throw new ClockEncodingException(
          what + " length " + len + " exceeds the " + remaining() + " remaining bytes", start);
    }
    byte[] out = Arrays.copyOfRange(bytes, pos, pos + (int) len);
    pos += (int) len;
    return out;
  }

  /**
   * Reads a length-prefixed, strictly valid UTF-8 string of {@code minLength..maxLength} bytes.
   *
   * @throws ClockEncodingException if the length is out of range, truncated, or the bytes are not
   *     UTF-8
   */
  public String readString(String what, int minLength, int maxLength) {
    int start = pos;
    byte[] raw = readBlob(what, maxLength);
    if (raw.length < minLength) {
      throw new ClockEncodingException(
          what + " has " + raw.length + " bytes, at least " + minLength + " required", start);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ClockEncodingException(what + " is not valid UTF-8", start, e);
    }
  }

  /**
   * Checks that every byte was consumed.
   *
   * @throws ClockEncodingException if bytes remain after the value
   */
  public void expectEnd(String type) {
    if (pos != bytes.length) {
      throw new ClockEncodingException(
          remaining() + " trailing bytes after the " + type + " encoding", pos);
    }
  }

  private ClockEncodingException truncated(String what) {
    return new ClockEncodingException("input truncated while reading " + what, pos);
  }
}
