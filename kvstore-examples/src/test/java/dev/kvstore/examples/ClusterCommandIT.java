package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kvstore cluster --nodes 3}: three node processes, the shell scripted on standard input, a node killed
 * with SIGKILL and started again, one paused with SIGSTOP (a hung node) while the cluster keeps taking puts and
 * gets, and every node stopped at the end.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterCommandIT {
  @TempDir Path dir;

  @Test
  void aScriptedClusterPutsGetsSurvivesAKillAndAHungNodeAndStopsEveryNode() throws Exception {
    String script = String.join("\n", "put k v", "get k", "kill n2", "put k2 during", "get k2", "start n2",
        "status", "resume n1", "pause n3", "start n3", "put k3 hung", "get k3", "status", "quit", "");
    StringWriter out = new StringWriter();
    CommandLine cluster = new CommandLine(new ClusterCommand(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8))));
    cluster.setOut(new PrintWriter(out));
    int exit = cluster.execute("--nodes", "3", "--dir", dir.toString(), "--durability", "every:10ms");
    String text = out.toString();
    assertThat(exit).as(text).isZero();
    assertThat(text).containsPattern("(?m)^v  \\(n\\d\\.[\\w-]+,\\d+\\) after \\{[^}]*\\}$")
        .contains("killed n2 (SIGKILL)", "started n2 again", "Stopped 3 nodes.")
        .containsPattern("(?m)^during  \\(")
        .containsPattern("(?m)^n2  up ")
        .contains("error: node n1 is not paused", "paused n3 (SIGSTOP)", "error: node n3 is paused; kill it first")
        .containsPattern("(?m)^hung  \\(")
        .as("the paused node answers nothing").containsPattern("(?m)^n3  DOWN ");
    for (String id : new String[] {"n1", "n2", "n3"}) {
      // n3 is still paused at quit: it is resumed and then stops cleanly like the others
      assertThat(Files.readString(dir.resolve(id + ".log"))).as("log of %s", id).contains("node " + id + " stopped");
      assertThat(Files.isDirectory(dir.resolve(id))).isTrue();
    }
  }
}
