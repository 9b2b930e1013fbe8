package dev.kvstore.examples.clocks;

/**
 * A problem in a space-time diagram, at a line of its text. The message reads {@code line N: what}.
 *
 * <p>Immutable and thread-safe.
 */
public final class DiagramException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int line;

  /**
   * Creates the exception for a problem on 1-based {@code line}.
   *
   * @param line the 1-based line number of the problem
   * @param what what is wrong, without the line number
   */
  public DiagramException(int line, String what) {
    super("line " + line + ": " + what);
    this.line = line;
  }

  /** Returns the 1-based line number of the problem. */
  public int line() {
    return line;
  }
}
