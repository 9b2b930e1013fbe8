package dev.kvstore.examples;

import dev.kvstore.examples.clocks.Diagram;
import dev.kvstore.examples.clocks.DiagramException;
import dev.kvstore.examples.clocks.DiagramParser;
import dev.kvstore.examples.clocks.DiagramReport;
import dev.kvstore.examples.clocks.DiagramRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore clocks [FILE]}: reads a space-time diagram (one line per process, {@code p1: a,
 * b=send m1}), prints every event's Lamport and vector timestamp and the concurrent pairs. Without
 * a file it runs the textbook example; {@code -} reads standard input. A bad diagram prints {@code
 * error: line N: what} to standard error and exits with 2. Grammar in docs/clocks.md.
 *
 * <p>Not thread-safe (one instance per invocation, as picocli uses it).
 */
@Command(
    name = "clocks",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Lamport and vector timestamps of every event of a space-time diagram, and its"
          + " concurrent pairs.",
      "Diagram: one line per process, e.g. 'p1: a, b=send m1' / 'p2: recv m1'; '#' starts a"
          + " comment.",
      "Without FILE the textbook run is used."
    },
    exitCodeOnInvalidInput = 2)
public final class ClocksCommand implements Callable<Integer> {
  /** Exit code for a diagram that cannot be read or run. */
  static final int BAD_DIAGRAM = 2;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description = "Diagram file ('-' for standard input); default: the textbook run.")
  Path file;

  /**
   * Reads, runs and prints the diagram.
   *
   * @return 0 when the diagram was printed, 2 when it could not be read or is invalid
   */
  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      String text = readDiagram();
      Diagram diagram = DiagramParser.parse(text);
      List<DiagramRun.Stamped> run = DiagramRun.run(diagram);
      if (file == null) {
        out.println("diagram (built-in textbook run; pass a FILE for your own):");
        text.lines().forEach(line -> out.println("  " + line));
        out.println();
      }
      out.print(DiagramReport.format(diagram, run));
      out.flush();
      return 0;
    } catch (NoSuchFileException e) {
      err.println("error: cannot read " + file + ": no such file");
    } catch (IOException e) {
      err.println("error: cannot read " + file + ": " + e);
    } catch (DiagramException e) {
      err.println("error: " + e.getMessage());
    }
    err.flush();
    return BAD_DIAGRAM;
  }

  private String readDiagram() throws IOException {
    if (file == null) {
      return Diagram.TEXTBOOK;
    }
    if (file.toString().equals("-")) {
      return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
