package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The mistakes a user makes get one line naming the cause and what to do: exit 2 with "Try ... --help" for
 * usage errors, exit 1 for failures while running, never the usage text or a stack trace.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UserErrorsTest {
  @TempDir Path dir;

  @Test
  void noCommandIsAUsageError() {
    Run r = run();
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).isEqualTo("kvstore: no command given\nTry 'kvstore --help'.\n");
  }

  @Test
  void anUnknownCommandIsNamedWithTheCommandsThatExist() {
    Run r = run("frobnicate");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).startsWith("kvstore: unknown command 'frobnicate' (commands: demo, node, get, put, delete")
        .endsWith("Try 'kvstore --help'.\n").doesNotContain("Usage:");
  }

  @Test
  void anUnknownOptionIsNamedWithoutTheUsage() {
    Run r = run("demo", "--frobnicate");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).isEqualTo("kvstore demo: unknown option or argument '--frobnicate'\nTry 'kvstore demo --help'.\n");
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    Run r = run("--help");
    assertThat(r.exit).isZero();
    assertThat(r.out).contains("Usage: kvstore", "cluster", "shell", "status");
  }

  @Test
  void demoWithAFileAsItsDirectorySaysItIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run r = run("demo", "--dir", file.toString());
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.err).isEqualTo("kvstore demo: " + file + " is not a directory (a file is in the way): choose another path\n");
    assertThat(r.out).isEmpty();
  }

  @Test
  void aNodeWhoseDataDirectoryIsAFileSaysItIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run r = run("node", "--id", "n1", "--listen", "127.0.0.1:0", "--peers", "n1=127.0.0.1:0", "--n", "1",
        "--data", file.resolve("n1").toString());
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.err).isEqualTo("kvstore node: n1 cannot start: " + file + " is not a directory (a file is in the way): "
        + "choose another path\n");
  }

  @Test
  void aDirectoryThatCannotBeWrittenIsReportedAsPermissionDenied() {
    // Tests run as root here, for whom no directory is read-only: the wording is checked on the exception a
    // read-only directory raises.
    assertThat(Errors.describe(new AccessDeniedException("/srv/data")))
        .isEqualTo("/srv/data: permission denied: choose a directory you can write");
  }

  @Test
  void aListenAddressThisMachineDoesNotHaveIsAUsageError() {
    Run r = node("--listen", "203.0.113.7:7001", "--peers", "n1=203.0.113.7:7001");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).startsWith("kvstore node: --listen 203.0.113.7: this machine has no such address")
        .doesNotContain("port in use");
  }

  @Test
  void aPeerIdGivenTwiceIsNamed() {
    Run r = node("--listen", "127.0.0.1:7001", "--peers", "n1=127.0.0.1:7001,n1=127.0.0.1:7002");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).startsWith("kvstore node: --peers names node 'n1' twice");
  }

  @Test
  void twoIdsOnOneAddressAreNamed() {
    Run r = node("--listen", "127.0.0.1:7001", "--peers", "n1=127.0.0.1:7001,n2=127.0.0.1:7001");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).startsWith("kvstore node: --peers gives nodes 'n1' and 'n2' the same address 127.0.0.1:7001");
  }

  @Test
  void aSelfAddressOtherThanTheListenAddressIsNamed() {
    Run r = node("--listen", "127.0.0.1:7001", "--peers", "n1=127.0.0.1:7002");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).startsWith("kvstore node: --peers gives this node 'n1' the address 127.0.0.1:7002 but it "
        + "listens on 127.0.0.1:7001");
    assertThat(Files.exists(dir.resolve("n1"))).isFalse();
  }

  private Run node(String... flags) {
    String[] args = new String[flags.length + 7];
    System.arraycopy(new String[] {"node", "--id", "n1", "--n", "1", "--data", dir.resolve("n1").toString()}, 0, args, 0, 7);
    System.arraycopy(flags, 0, args, 7, flags.length);
    return run(args);
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private record Run(int exit, String out, String err) {}
}
