package dev.kvstore.clock;

/**
 * The exception thrown when bytes given to a {@code fromBytes} method are not a valid encoding:
 * truncated, oversized, carrying trailing bytes, an unknown format version, or breaking an
 * invariant of the type. The message says what was wrong and at which byte offset.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClockEncodingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The byte offset of the problem in the input. */
  private final int offset;

  /**
   * Creates an exception for a problem found at {@code offset}.
   *
   * @param message what was wrong, without the offset (it is appended)
   * @param offset the byte offset in the input where the problem was found
   */
  public ClockEncodingException(String message, int offset) {
    super(message + " (at byte offset " + offset + ")");
    this.offset = offset;
  }

  /**
   * Creates an exception for a problem found at {@code offset}, caused by {@code cause}.
   *
   * @param message what was wrong, without the offset (it is appended)
   * @param offset the byte offset in the input where the problem was found
   * @param cause the underlying failure, for example a value decoder's exception
   */
  public ClockEncodingException(String message, int offset, Throwable cause) {
    super(message + " (at byte offset " + offset + ")", cause);
    this.offset = offset;
  }

  /** Returns the byte offset in the input at which the problem was found. */
  public int offset() {
    return offset;
  }
}
