package dev.kvstore.examples.certs;

import dev.kvstore.net.internal.tls.Certificates;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.KvstoreCommand;
import dev.kvstore.net.KvClient;
import dev.kvstore.net.KvNode;
import dev.kvstore.net.TlsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kvstore certs}: a CA and a directory per member that {@link TlsConfig#fromDirectory} reads and a node and
 * client use; naming a member again rotates its certificate under the same CA; bad input changes nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CertsCommandTest {
  @TempDir Path dir;

  @Test
  void writesACaAndAMemberDirectoryPerNameWithTheClusterAndHostsInTheCertificate() throws Exception {
    Path certs = dir.resolve("certs");
    Run r = run("certs", "--dir", certs.toString(), "--cluster-id", "prod", "--host", "db1.example,10.0.0.7", "n1",
        "app");

    assertThat(r.exit).as(r.err).isZero();
    assertThat(r.out).contains("Created the CA of cluster 'prod'", "n1: " + certs.resolve("n1"), "app: ");
    X509Certificate ca = Certificates.readCertificate(certs.resolve("ca/ca.pem"));
    for (String member : List.of("n1", "app")) {
      TlsConfig.fromDirectory(certs.resolve(member)); // the layout --tls-dir reads
      X509Certificate cert = Certificates.readCertificate(certs.resolve(member).resolve("cert.pem"));
      assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + member + ",OU=prod,O=kvstore");
      cert.verify(ca.getPublicKey());
      assertThat(cert.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1)))
          .collect(Collectors.toList())).containsExactly("127.0.0.1", "localhost", "db1.example", "10.0.0.7");
      assertThat(Files.readString(certs.resolve(member).resolve("ca.pem")))
          .isEqualTo(Files.readString(certs.resolve("ca/ca.pem")));
      if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve(member)
            .resolve("key.pem")))).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void namingAMemberAgainIssuesANewCertificateUnderTheSameCa() throws Exception {
    Path certs = dir.resolve("certs");
    assertThat(run("certs", "--dir", certs.toString(), "n1").exit).isZero();
    String ca = Files.readString(certs.resolve("ca/ca.pem"));
    X509Certificate first = Certificates.readCertificate(certs.resolve("n1/cert.pem"));

    Run again = run("certs", "--dir", certs.toString(), "n1");

    assertThat(again.exit).as(again.err).isZero();
    assertThat(again.out).contains("Using the CA of cluster 'kvstore'");
    assertThat(Files.readString(certs.resolve("ca/ca.pem"))).isEqualTo(ca);
    X509Certificate second = Certificates.readCertificate(certs.resolve("n1/cert.pem"));
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    second.verify(Certificates.readCertificate(certs.resolve("ca/ca.pem")).getPublicKey());
  }

  @Test
  void aBadNameTheCaNameOrBadDaysIsAUsageErrorThatWritesNothing() {
    Path certs = dir.resolve("certs");
    Run badName = run("certs", "--dir", certs.toString(), "n1", "no spaces");
    assertThat(badName.exit).isEqualTo(2);
    assertThat(badName.err).contains("NAME 'no spaces'").contains("Try 'kvstore certs --help'");
    Run caName = run("certs", "--dir", certs.toString(), "ca");
    assertThat(caName.exit).isEqualTo(2);
    assertThat(caName.err).contains("NAME 'ca' is taken");
    Run days = run("certs", "--dir", certs.toString(), "--days", "0", "n1");
    assertThat(days.exit).isEqualTo(2);
    assertThat(days.err).contains("--days must be between 1 and 3650, got 0");
    assertThat(certs).doesNotExist();
  }

  @Test
  void aCaOfAnotherClusterIsAUsageErrorThatLeavesItAlone() throws Exception {
    Path certs = dir.resolve("certs");
    assertThat(run("certs", "--dir", certs.toString(), "--cluster-id", "one", "n1").exit).isZero();
    String ca = Files.readString(certs.resolve("ca/ca.pem"));

    Run r = run("certs", "--dir", certs.toString(), "--cluster-id", "two", "n2");

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).contains("is for cluster 'one', not 'two'");
    assertThat(certs.resolve("n2")).doesNotExist();
    assertThat(Files.readString(certs.resolve("ca/ca.pem"))).isEqualTo(ca);
  }

  @Test
  void aNodeAndAClientWithWhatItWroteTalkOverTls() throws Exception {
    Path certs = CertsCommand.ensure(dir.resolve("certs"), "kvstore", List.of("n1", "client"));
    try (KvNode node = KvNode.builder().nodeId("n1").inMemory().listen(new InetSocketAddress("127.0.0.1", 0))
        .peers(Map.of("n1", new InetSocketAddress("127.0.0.1", 0))).replication(1, 1, 1)
        .restoreCheckTimeout(Duration.ZERO).tls(certs.resolve("n1")).start();
        KvClient client = KvClient.builder().nodes(Map.of("n1", node.address())).replication(1, 1, 1)
            .tls(certs.resolve("client")).connect()) {
      client.put("k", "over tls");
      assertThat(client.get("k").strings()).containsExactly("over tls");
    }
  }

  @Test
  void nodeWithAMissingTlsDirectoryIsAUsageError() {
    Run r = run("node", "--id", "n1", "--listen", "127.0.0.1:0", "--peers", "n1=127.0.0.1:0", "--data",
        dir.resolve("data").toString(), "--n", "1", "--w", "1", "--r", "1", "--tls-dir",
        dir.resolve("nowhere").toString());
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).contains("TLS directory " + dir.resolve("nowhere") + " does not exist")
        .contains("kvstore certs");
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
