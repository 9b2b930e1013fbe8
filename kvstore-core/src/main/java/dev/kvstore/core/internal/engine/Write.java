package dev.kvstore.core.internal.engine;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One write of a group applied to an {@link Engine}: a key and its new value, or a null value to
 * remove the key. The arrays are not copied (callers must not modify them); {@code equals} and
 * {@code hashCode} compare contents.
 *
 * @param key the key, not null
 * @param value the new value, or null to delete the key
 */
public record Write(byte[] key, byte[] value) {

  /**
   * Creates a write.
   *
   * @throws IllegalArgumentException if key is null
   */
  public Write {
    if (key == null) {
      throw new IllegalArgumentException("write key must not be null");
    }
  }

  /**
   * A write that stores {@code value} under {@code key}.
   *
   * @throws IllegalArgumentException if key or value is null
   */
  public static Write put(byte[] key, byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("put value must not be null (use Write.delete)");
    }
    return new Write(key, value);
  }

  /**
   * A write that removes {@code key}.
   *
   * @throws IllegalArgumentException if key is null
   */
  public static Write delete(byte[] key) {
    return new Write(key, null);
  }

  /** Whether this write removes its key. */
  public boolean isDelete() {
    return value == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Write w && Arrays.equals(key, w.key) && Arrays.equals(value, w.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "Write[key="
        + hex.formatHex(key)
        + ", value="
        + (value == null ? "<delete>" : value.length + " bytes")
        + "]";
  }
}
