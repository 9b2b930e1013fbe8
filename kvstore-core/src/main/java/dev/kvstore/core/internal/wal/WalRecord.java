package dev.kvstore.core.internal.wal;

import java.util.Arrays;

/**
 * One record of the write-ahead log: its sequence number and payload. The payload array is not
 * copied; {@code equals} and {@code hashCode} compare its contents.
 *
 * @param seq the sequence number, at least 1
 * @param payload the payload bytes, not null
 */
public record WalRecord(long seq, byte[] payload) {

  /**
   * Creates a record.
   *
   * @throws IllegalArgumentException if seq is below 1 or payload is null
   */
  public WalRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("record seq must be >= 1, got " + seq);
    }
    if (payload == null) {
      throw new IllegalArgumentException("record payload must not be null");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WalRecord r && r.seq == seq && Arrays.equals(r.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "WalRecord[seq=" + seq + ", payload=" + payload.length + " bytes]";
  }
}
