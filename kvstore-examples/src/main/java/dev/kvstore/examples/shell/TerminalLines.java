package dev.kvstore.examples.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Lines typed at a terminal through JLine: line editing, history kept in {@code ~/.kvstore_history}, and
 * completion of the command names. Ctrl-C drops the line being typed; Ctrl-D ends the input. Not thread-safe.
 */
public final class TerminalLines implements LineSource {
  private final Terminal terminal;
  private final LineReader reader;

  /**
   * Opens the process's terminal, completing {@code commands}.
   *
   * @throws IOException if the terminal cannot be opened
   */
  public TerminalLines(Collection<String> commands) throws IOException {
    this.terminal = TerminalBuilder.builder().system(true).build();
    this.reader = LineReaderBuilder.builder().terminal(terminal).appName("kvstore")
        .completer(new StringsCompleter(commands))
        .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".kvstore_history"))
        .build();
  }

  @Override
  public String readLine(String prompt) {
    while (true) {
      try {
        return reader.readLine(prompt);
      } catch (UserInterruptException e) {
        // Ctrl-C: forget the line, ask again
      } catch (EndOfFileException e) {
        return null;
      }
    }
  }

  @Override
  public boolean interactive() {
    return true;
  }

  @Override
  public void close() throws IOException {
    reader.getHistory().save();
    terminal.close();
  }
}
