package dev.kvstore.examples.shell;

import java.io.IOException;

/** Where the shell reads its commands: a terminal with line editing, or plain lines from a pipe or a file. */
public interface LineSource extends AutoCloseable {
  /**
   * The next line, or null at the end of input.
   *
   * @param prompt shown before the line when the source is interactive
   * @throws IOException if the input cannot be read
   */
  String readLine(String prompt) throws IOException;

  /** Whether a person types the lines (prompts and a greeting are shown only then). */
  boolean interactive();

  @Override
  void close() throws IOException;
}
