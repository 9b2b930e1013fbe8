package dev.kvstore.clock.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the primitives of the clock encodings: single bytes, unsigned LEB128
 * varints and length-prefixed byte strings. Not API.
 *
 * <p>Not thread-safe: one writer per encoding.
 */
public final class ByteWriter {
  private byte[] buf;
  private int size;

  /** Creates a writer with room for {@code initialCapacity} bytes before it grows. */
  public ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Appends one byte (the low 8 bits of {@code b}). */
  public ByteWriter writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
    return this;
  }

  /**
   * Appends {@code value} as an unsigned LEB128 varint (1 to 9 bytes).
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public ByteWriter writeVarLong(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint value must be >= 0, got " + value);
    }
    ensure(10);
    long v = value;
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
    return this;
  }

  /** Appends the varint length of {@code bytes} followed by the bytes themselves. */
  public ByteWriter writeBlob(byte[] bytes) {
    writeVarLong(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
    return this;
  }

  /** Appends {@code s} as a varint length followed by its UTF-8 bytes. */
  public ByteWriter writeString(String s) {
    return writeBlob(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a copy of the bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int extra) {
    if (buf.length - size < extra) {
      long wanted = Math.max((long) buf.length * 2, (long) size + extra);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("encoding exceeds the maximum array size");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }
}
