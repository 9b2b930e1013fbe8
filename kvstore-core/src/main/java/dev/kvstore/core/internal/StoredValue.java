package dev.kvstore.core.internal;

import dev.kvstore.clock.HlcTimestamp;
import java.util.Arrays;

/**
 * What a sibling holds: a value or a tombstone, and the hybrid logical time of the write (used by
 * last-write-wins and by the tombstone grace period). Immutable; the array is not copied (callers own
 * copies). Not API.
 *
 * @param value the value, or null for a tombstone
 * @param time the writer's hybrid logical time
 */
public record StoredValue(byte[] value, HlcTimestamp time) {
  /** A value written at {@code time}. */
  public static StoredValue of(byte[] value, HlcTimestamp time) {
    return new StoredValue(value, time);
  }

  /** A tombstone written at {@code time}. */
  public static StoredValue tombstone(HlcTimestamp time) {
    return new StoredValue(null, time);
  }

  /** True for a delete marker. */
  public boolean isTombstone() {
    return value == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredValue s && Arrays.equals(value, s.value) && time.equals(s.time);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + time.hashCode();
  }

  @Override
  public String toString() {
    return (value == null ? "<tombstone>" : value.length + " bytes") + "@" + time;
  }
}
