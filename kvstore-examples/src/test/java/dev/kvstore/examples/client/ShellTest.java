package dev.kvstore.examples.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.shell.ShellCommand;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kvstore shell} scripted through standard input against a real 3-node cluster. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ShellTest {
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
  void aScriptedSessionPutsGetsAndDeletes() {
    String out = shell("put k v", "get k", "delete k", "get k", "quit", "get never-run");
    assertThat(out).containsPattern("(?m)^v  \\(n\\d\\.[\\w-]+,\\d+\\) after \\{[^}]*\\}$").contains("OK delete k", "(not found)");
    assertThat(out).as("nothing runs after quit").doesNotContain("never-run");
    assertThat(out).doesNotContain("kvstore>");
  }

  @Test
  void aPutAfterAGetOfTheKeyIsCausalSoConcurrentSiblingsAreResolved() {
    cluster.nodes.get("n1").put("cart", "milk");
    var seen = cluster.nodes.get("n1").get("cart").context();
    cluster.nodes.get("n1").put("cart", "eggs", seen);
    cluster.nodes.get("n2").put("cart", "jam", seen);
    String out = shell("get cart", "put cart eggs and jam", "get cart");
    assertThat(out).contains("2 concurrent siblings");
    assertThat(out.substring(out.indexOf("OK put cart"))).containsPattern("(?m)^eggs and jam  \\(")
        .doesNotContain("2 concurrent siblings");
  }

  @Test
  void mistakesPrintOneLineAndTheSessionGoesOn() {
    String out = shell("frobnicate", "get", "put onlykey", "help", "status");
    assertThat(out).contains("usage: unknown command 'frobnicate'; type 'help' for the commands",
        "usage: get KEY", "usage: put KEY VALUE", "put KEY VALUE", "n1  up", "n2  up", "n3  up");
  }

  private String shell(String... lines) {
    StringWriter out = new StringWriter();
    byte[] script = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    CommandLine cli = new CommandLine(new ShellCommand(new ByteArrayInputStream(script)));
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--cluster", cluster.cluster())).isZero();
    return out.toString();
  }
}
