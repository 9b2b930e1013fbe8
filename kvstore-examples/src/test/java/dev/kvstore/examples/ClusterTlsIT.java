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
 * {@code kvstore cluster --tls}: certificates made in the cluster's directory, three node processes serving mutual
 * TLS, the shell's client writing and reading through it, and the client commands reaching it with the printed
 * {@code KVSTORE_TLS_DIR}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterTlsIT {
  @TempDir Path dir;

  @Test
  void aTlsClusterMakesItsCertificatesAndServesTheShell() throws Exception {
    String script = String.join("\n", "put k secret", "get k", "status", "quit", "");
    StringWriter out = new StringWriter();
    CommandLine cluster = new CommandLine(new ClusterCommand(new ByteArrayInputStream(
        script.getBytes(StandardCharsets.UTF_8))));
    cluster.setOut(new PrintWriter(out));

    int exit = cluster.execute("--nodes", "3", "--tls", "--dir", dir.toString(), "--durability", "never");

    String text = out.toString();
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("Mutual TLS on: CA and certificates in " + dir.resolve("certs"))
        .contains("KVSTORE_TLS_DIR=" + dir.resolve("certs").resolve("client"))
        .containsPattern("(?m)^secret  \\(").containsPattern("(?m)^n2  up ").contains("Stopped 3 nodes.");
    for (String id : new String[] {"n1", "n2", "n3"}) {
      assertThat(Files.readString(dir.resolve(id + ".log"))).as("log of %s", id)
          .contains("TLS 1.3", "'CN=" + id + ",OU=kvstore,O=kvstore'").doesNotContain("refused TLS connection");
      assertThat(dir.resolve("certs").resolve(id).resolve("key.pem")).exists();
    }
  }
}
