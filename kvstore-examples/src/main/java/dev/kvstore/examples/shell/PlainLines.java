package dev.kvstore.examples.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Lines from a stream that is not a terminal (a pipe, a file): no prompt, no editing. Not thread-safe. */
public final class PlainLines implements LineSource {
  private final BufferedReader in;

  /** Reads UTF-8 lines from {@code in}. */
  public PlainLines(InputStream in) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  @Override
  public String readLine(String prompt) throws IOException {
    return in.readLine();
  }

  @Override
  public boolean interactive() {
    return false;
  }

  @Override
  public void close() {
    // the stream belongs to the caller (standard input)
  }
}
