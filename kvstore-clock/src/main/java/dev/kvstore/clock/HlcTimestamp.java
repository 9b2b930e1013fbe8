package dev.kvstore.clock;

import dev.kvstore.clock.internal.ByteReader;
import dev.kvstore.clock.internal.ByteWriter;
import java.time.Instant;

/**
 * A hybrid logical clock timestamp (Kulkarni et al. 2014): the largest physical time in
 * milliseconds that the event knows of, and a logical counter that orders events within that
 * millisecond. Timestamps order by physical time, then logical counter; if event e happened before
 * f then {@code hlc(e) < hlc(f)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param physicalMillis milliseconds since the epoch, at least 0
 * @param logical the logical counter, at least 0
 */
public record HlcTimestamp(long physicalMillis, int logical) implements Comparable<HlcTimestamp> {
  static final int FORMAT_VERSION = 1;

  /**
   * Creates a timestamp.
   *
   * @throws IllegalArgumentException if {@code physicalMillis} or {@code logical} is negative
   */
  public HlcTimestamp {
    if (physicalMillis < 0) {
      throw new IllegalArgumentException("physicalMillis must be >= 0, got " + physicalMillis);
    }
    if (logical < 0) {
      throw new IllegalArgumentException("logical must be >= 0, got " + logical);
    }
  }

  @Override
  public int compareTo(HlcTimestamp other) {
    int c = Long.compare(physicalMillis, other.physicalMillis);
    return c != 0 ? c : Integer.compare(logical, other.logical);
  }

  /** Returns whether this timestamp orders strictly before {@code other}. */
  public boolean isBefore(HlcTimestamp other) {
    return compareTo(other) < 0;
  }

  /**
   * Returns the encoding: format version 1, varint physical milliseconds, varint logical counter.
   */
  public byte[] toBytes() {
    return new ByteWriter(16)
        .writeByte(FORMAT_VERSION)
        .writeVarLong(physicalMillis)
        .writeVarLong(logical)
        .toByteArray();
  }

  /**
   * Decodes the output of {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ClockEncodingException if the bytes are not exactly one valid encoding
   */
  public static HlcTimestamp fromBytes(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    r.readVersion(FORMAT_VERSION, "HLC timestamp");
    long physical = r.readVarLong("HLC physical time");
    int logical = (int) r.readVarLong("HLC logical counter", 0, Integer.MAX_VALUE);
    r.expectEnd("HLC timestamp");
    return new HlcTimestamp(physical, logical);
  }

  /**
   * Returns the timestamp as ISO-8601 instant and logical counter, e.g. {@code
   * 2024-01-01T00:00:00Z+3}.
   */
  @Override
  public String toString() {
    return Instant.ofEpochMilli(physicalMillis) + "+" + logical;
  }
}
