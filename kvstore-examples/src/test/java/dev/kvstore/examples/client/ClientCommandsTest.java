package dev.kvstore.examples.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.KvstoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kvstore get|put|delete} against a real 3-node cluster: what they print and their exit codes. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClientCommandsTest {
  private static final Pattern CONTEXT = Pattern.compile("context: (\\S+)");

  @TempDir Path dir;
  private LocalCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new LocalCluster(dir);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void putThenGetPrintsTheValueWithItsClockAndAContextAndExitsZero() {
    Run put = run("put", "k", "v");
    assertThat(put.exit).isZero();
    assertThat(put.out).startsWith("OK put k  context: ");
    Run get = run("get", "k");
    assertThat(get.exit).isZero();
    assertThat(get.out).containsPattern("(?m)^v  \\(n\\d\\.[\\w-]+,\\d+\\) after \\{[^}]*\\}$").containsPattern(CONTEXT);
  }

  @Test
  void getOfAMissingKeyPrintsNotFoundAndExitsOne() {
    Run get = run("get", "nothing-here");
    assertThat(get.exit).isEqualTo(1);
    assertThat(get.out).startsWith("(not found)");
    assertThat(get.err).isEmpty();
  }

  @Test
  void twoWritesWithTheSameContextBecomeSiblingsAndAWriteWithTheirContextResolvesThem() {
    run("put", "cart", "milk");
    String token = context(run("get", "cart").out);
    assertThat(run("put", "cart", "eggs", "--context", token).exit).isZero();
    assertThat(run("put", "cart", "jam", "--context", token).exit).isZero();
    Run both = run("get", "cart");
    assertThat(both.out).contains("eggs  (", "jam  (", "2 concurrent siblings").doesNotContain("milk");
    assertThat(run("put", "cart", "eggs+jam", "--context", context(both.out)).exit).isZero();
    assertThat(lines(run("get", "cart").out)).hasSize(2).first().asString().startsWith("eggs+jam  (");
  }

  @Test
  void deleteRemovesTheKeySoAGetExitsOne() {
    run("put", "gone", "soon");
    assertThat(run("delete", "gone").exit).isZero();
    Run get = run("get", "gone");
    assertThat(get.exit).isEqualTo(1);
    assertThat(get.out).startsWith("(not found)");
  }

  @Test
  void jsonOutputIsOneObjectWithSiblingsAndContext() {
    run("put", "j", "say \"hi\"");
    Run get = run("get", "j", "--json");
    assertThat(get.exit).isZero();
    assertThat(get.out.trim()).matches("\\{\"key\":\"j\",\"found\":true,\"siblings\":\\[\\{\"value\":\"say \\\\\"hi\\\\\"\","
        + "\"clock\":\"\\(n\\d\\.[\\w-]+,\\d+\\) after \\{[^}]*\\}\"}],\"context\":\"[A-Za-z0-9_-]+\"}");
  }

  @Test
  void aWriteThatCannotReachItsQuorumExitsOneWithOneLineAndNoStackTrace() {
    cluster.stop("n3");
    Run put = run("put", "k", "v", "--w", "3");
    assertThat(put.exit).isEqualTo(1);
    assertThat(put.err).startsWith("kvstore put: ").contains("needed 3", "(no answer from n3)").doesNotContain("\tat ");
    assertThat(put.err.strip().lines()).hasSize(1);
  }

  @Test
  void verbosePrintsTheExceptionOfAFailure() {
    cluster.stop("n3");
    Run put = run("put", "k", "v", "--w", "3", "--verbose");
    assertThat(put.exit).isEqualTo(1);
    assertThat(put.err).contains("dev.kvstore.core.InsufficientReplicasException: ");
  }

  @Test
  void aMalformedContextTokenIsAUsageErrorAndWritesNothing() {
    Run put = run("put", "k", "v", "--context", "not-a-token!");
    assertThat(put.exit).isEqualTo(2);
    assertThat(put.err).contains("is not a context token", "Try 'kvstore put --help'");
    assertThat(run("get", "k").exit).isEqualTo(1);
  }

  @Test
  void aClusterEntryWithoutANodeIdIsAUsageErrorThatShowsTheForm() {
    Run get = run("get", "k", "--cluster", "127.0.0.1:7001");
    assertThat(get.exit).isEqualTo(2);
    assertThat(get.err).contains("has no node id: write id=host:port");
  }

  private static String context(String out) {
    Matcher m = CONTEXT.matcher(out);
    assertThat(m.find()).as("a context line in %s", out).isTrue();
    return m.group(1);
  }

  private static List<String> lines(String out) {
    return new ArrayList<>(out.lines().toList());
  }

  private Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--cluster")) {
      all.add("--cluster");
      all.add(cluster.cluster());
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = KvstoreCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private record Run(int exit, String out, String err) {}
}
