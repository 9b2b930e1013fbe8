package dev.kvstore.clock;

/**
 * Validation of node ids: non-empty strings of at most {@value #MAX_UTF8_BYTES} UTF-8 bytes.
 *
 * <p>Stateless and thread-safe.
 */
final class NodeIds {
  /** The largest node id, in UTF-8 bytes. */
  static final int MAX_UTF8_BYTES = 255;

  private NodeIds() {}

  /**
   * Returns {@code id} if it is a valid node id.
   *
   * @throws NullPointerException if {@code id} is null
   * @throws IllegalArgumentException if {@code id} is empty, longer than 255 UTF-8 bytes or has an
   *     unpaired surrogate
   */
  static String check(String id, String argument) {
    if (id == null) {
      throw new NullPointerException(argument + " must not be null");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException(argument + " must be a non-empty node id");
    }
    int bytes = utf8Length(id, argument);
    if (bytes > MAX_UTF8_BYTES) {
      throw new IllegalArgumentException(
          argument + " must be at most " + MAX_UTF8_BYTES + " UTF-8 bytes, got " + bytes);
    }
    return id;
  }

  private static int utf8Length(String s, String argument) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            argument + " has an unpaired surrogate at index " + i + ", not valid Unicode");
      } else {
        n += 3;
      }
    }
    return n;
  }
}
