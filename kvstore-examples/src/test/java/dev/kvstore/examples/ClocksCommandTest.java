package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClocksCommandTest {
  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {
    /** The table row of {@code event}, as whitespace-separated cells. */
    List<String> row(String event) {
      return out.lines()
          .map(l -> Arrays.asList(l.strip().split("\\s+")))
          .filter(cells -> cells.size() >= 2 && cells.get(1).equals(event))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no row for event " + event + " in\n" + out));
    }

    String lamport(String event) {
      List<String> r = row(event);
      return r.get(r.size() - 2);
    }

    String vector(String event) {
      List<String> r = row(event);
      return r.get(r.size() - 1);
    }
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new ClocksCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private Result runDiagram(String text) throws IOException {
    Path file = dir.resolve("diagram.txt");
    Files.writeString(file, text);
    return run(file.toString());
  }

  @Test
  void withoutAFileItPrintsTheTextbookTimestamps() {
    Result r = run();
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    String[] events = {"a", "b", "c", "d", "e", "f"};
    String[] lamport = {"1", "2", "3", "4", "1", "5"};
    String[] vector = {"(1,0,0)", "(2,0,0)", "(2,1,0)", "(2,2,0)", "(0,0,1)", "(2,2,2)"};
    for (int i = 0; i < events.length; i++) {
      assertThat(r.lamport(events[i])).as("L(%s)", events[i]).isEqualTo(lamport[i]);
      assertThat(r.vector(events[i])).as("V(%s)", events[i]).isEqualTo(vector[i]);
    }
    assertThat(r.out()).contains("concurrent pairs: 4", "a || e", "b || e", "c || e", "d || e");
    assertThat(r.out()).doesNotContain("a || b", "e || f");
  }

  @Test
  void aFileWithCommentsBlankLinesAndAutoNamedEventsIsTimestamped() throws IOException {
    Result r =
        runDiagram(
            """
            # two processes exchange messages
            p1: a, send m1, recv m2   # a trailing comment

            p2: recv m1, send m2
            """);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.vector("a")).isEqualTo("(1,0)");
    assertThat(r.vector("send(m1)")).isEqualTo("(2,0)");
    assertThat(r.vector("recv(m1)")).isEqualTo("(2,1)");
    assertThat(r.vector("send(m2)")).isEqualTo("(2,2)");
    assertThat(r.vector("recv(m2)")).isEqualTo("(3,2)");
    assertThat(r.lamport("recv(m2)")).isEqualTo("5");
    assertThat(r.out()).contains("concurrent pairs: 0");
  }

  @Test
  void aProcessWithoutEventsAndAMessageNeverReceivedAreAllowed() throws IOException {
    Result r = runDiagram("p1: x, lost=send m9\np2:\n");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.vector("lost")).isEqualTo("(2,0)");
  }

  private void assertRejected(String text, int line, String what) throws IOException {
    Result r = runDiagram(text);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: line " + line + ": ").contains(what);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void unknownSyntaxIsAnErrorNamingTheLine() throws IOException {
    assertRejected("p1: a\np2 b, c\n", 2, "no ':'");
    assertRejected("p1: a, send\n", 1, "needs a message name");
    assertRejected("p1: a, send m1 m2\n", 1, "cannot read event");
    assertRejected("p1: a,, b\n", 1, "empty event");
    assertRejected("p1: x=y\n", 1, "cannot read event");
    assertRejected("p 1: a\n", 1, "invalid process name");
  }

  @Test
  void receivingAMessageNeverSentIsAnError() throws IOException {
    assertRejected("p1: a\np2: recv m7\n", 2, "'m7' that is never sent");
  }

  @Test
  void sendingAMessageTwiceIsAnError() throws IOException {
    assertRejected("p1: send m1\np2: send m1\np3: recv m1\n", 2, "sent twice (first on line 1)");
  }

  @Test
  void receivingAMessageTwiceIsAnError() throws IOException {
    assertRejected(
        "p1: send m1\np2: r1=recv m1\np3: r2=recv m1\n", 3, "received twice (first on line 2)");
  }

  @Test
  void aCycleWhereAReceiveCanNeverHappenIsAnError() throws IOException {
    assertRejected("p1: recv m2, send m1\np2: recv m1, send m2\n", 1, "can never happen");
    assertRejected("p1: recv m1, send m1\n", 1, "can never happen");
  }

  @Test
  void duplicateProcessesAndEventNamesAreErrors() throws IOException {
    assertRejected("p1: a\np2: b\np1: c\n", 3, "already declared on line 1");
    assertRejected("p1: a\np2: a\n", 2, "'a' is already used on line 1");
  }

  @Test
  void anEmptyDiagramIsAnError() throws IOException {
    Result r = runDiagram("# nothing here\n");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no processes");
  }

  @Test
  void theDiagramsInTheDocsRunCleanly() throws IOException {
    Path doc = Path.of("..", "docs", "clocks.md");
    String text = Files.readString(doc);
    int blocks = 0;
    for (String block : text.split("```diagram\n", -1)) {
      if (blocks++ == 0) {
        continue;
      }
      Result r = runDiagram(block.substring(0, block.indexOf("```")));
      assertThat(r.exitCode()).as("%s in %s", r.err(), doc).isZero();
    }
    assertThat(blocks).as("docs/clocks.md has diagram blocks").isGreaterThan(1);
  }

  @Test
  void aMissingFileIsAnError() {
    Result r = run(dir.resolve("absent.txt").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: cannot read").contains("no such file");
  }
}
