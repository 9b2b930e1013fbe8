package dev.kvstore.core.internal;

import dev.kvstore.clock.HlcTimestamp;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a sibling holds: a value or a tombstone, the hybrid logical time of the write (used by last-write-wins
 * and by the tombstone grace period) and, when a client gave one, the write's {@link OperationId} (how a retried
 * write is recognised on any replica). Immutable; the array is not copied (callers own copies). Not API.
 *
 * @param value the value, or null for a tombstone
 * @param time the writer's hybrid logical time
 * @param op the client operation that wrote it, or null when none was given
 */
public record StoredValue(byte[] value, HlcTimestamp time, OperationId op) {
  /** A version without an operation id. */
  public StoredValue(byte[] value, HlcTimestamp time) {
    this(value, time, null);
  }

  /** A value written at {@code time}. */
  public static StoredValue of(byte[] value, HlcTimestamp time) {
    return new StoredValue(value, time, null);
  }

  /** A tombstone written at {@code time}. */
  public static StoredValue tombstone(HlcTimestamp time) {
    return new StoredValue(null, time, null);
  }

  /** A value ({@code value} non-null) or tombstone (null) written at {@code time} by operation {@code op}. */
  public static StoredValue written(byte[] value, HlcTimestamp time, OperationId op) {
    return new StoredValue(value, time, op);
  }

  /** True for a delete marker. */
  public boolean isTombstone() {
    return value == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredValue s && Arrays.equals(value, s.value) && time.equals(s.time)
        && Objects.equals(op, s.op);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + time.hashCode();
  }

  @Override
  public String toString() {
    return (value == null ? "<tombstone>" : value.length + " bytes") + "@" + time + (op == null ? "" : " op " + op);
  }
}
