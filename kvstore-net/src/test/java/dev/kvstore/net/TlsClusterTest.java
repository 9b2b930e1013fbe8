package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import dev.kvstore.net.internal.tls.Certificates;
import dev.kvstore.net.internal.testing.TestPki;
import dev.kvstore.net.internal.transport.EnvelopeStamper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on real sockets: three nodes and a client with certificates from the cluster's CA work; a client
 * whose certificate another CA signed, one without a certificate, one with an expired certificate, one whose
 * certificate names another cluster, and a plain-text client are each refused with one log line and change
 * nothing; a node's certificate replaced on disk is the one the next connection sees. Certificates are made here.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class TlsClusterTest {
  private static final String CLUSTER = "tls-test";
  private static final char[] NO_PASSWORD = new char[0];

  @TempDir Path dir;
  private TestPki pki;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();
  private KvClient client;

  @BeforeEach
  void startThreeTlsNodesAndATlsClient() throws IOException {
    pki = new TestPki(dir.resolve("pki"), CLUSTER);
    for (String id : List.of("n1", "n2", "n3")) {
      pki.member(id);
    }
    nodes.putAll(PortZeroCluster.start(List.of("n1", "n2", "n3"), addresses,
        id -> KvNode.builder().nodeId(id).clusterId(CLUSTER).inMemory().tls(dir.resolve("pki").resolve(id))
            .requestTimeout(Duration.ofSeconds(2)).restoreCheckTimeout(Duration.ZERO)));
    client = connect(TlsConfig.fromDirectory(pki.member("client")));
  }

  @AfterEach
  void stopAll() {
    client.close();
    nodes.values().forEach(KvNode::close);
  }

  @Test
  void threeTlsNodesAndATlsClientWriteReplicateAndRead() {
    client.put("greeting", "hello");

    assertThat(client.get("greeting").strings()).containsExactly("hello");
    for (KvNode node : nodes.values()) { // each node's read asks R=2 replicas over its TLS peer connections
      assertThat(node.get("greeting").strings()).as(node.nodeId()).containsExactly("hello");
    }
  }

  @Test
  void clientWithACertificateFromAnotherCaIsRefusedAsUntrustedAndChangesNothing() throws Exception {
    Path other = new TestPki(dir.resolve("other-pki"), CLUSTER).member("client");
    // it trusts our CA (a public certificate), so the nodes are the ones to refuse
    Files.writeString(other.resolve("ca.pem"), Certificates.pem(pki.ca()));
    assertRefusedAndChangesNothing(TlsConfig.fromDirectory(other), "untrusted");
  }

  @Test
  void clientWithAnExpiredCertificateIsRefusedAsExpiredAndChangesNothing() throws Exception {
    Instant now = Instant.now();
    Path expired = pki.write(dir.resolve("expired"), "client", CLUSTER, now.minus(Duration.ofDays(2)),
        now.minus(Duration.ofDays(1)), Certificates.newSerial());
    assertRefusedAndChangesNothing(TlsConfig.fromDirectory(expired), "expired");
  }

  @Test
  void clientWithACertificateForAnotherClusterIsRefusedAsWrongClusterAndChangesNothing() throws Exception {
    Instant now = Instant.now();
    Path stranger = pki.write(dir.resolve("stranger"), "client", "another-cluster", now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), Certificates.newSerial());
    assertRefusedAndChangesNothing(TlsConfig.fromDirectory(stranger), "wrong cluster");
  }

  @Test
  void plainTextClientIsRefusedAndChangesNothing() throws Exception {
    assertRefusedAndChangesNothing(null, "not TLS");
  }

  @Test
  void tlsClientWithoutACertificateIsRefusedBeforeItsMessagesAreReadAndChangesNothing() throws Exception {
    client.put("k", "original");
    InetSocketAddress n1 = addresses.get("n1");
    String log;
    String local;
    try (StderrCapture stderr = new StderrCapture(); SSLSocket socket = sslSocket(null, n1)) {
      local = "127.0.0.1:" + socket.getLocalPort();
      sendHandshakeAndPut(socket, "k", "evil");
      assertThat(closedWithoutAnAnswer(socket)).isTrue();
      log = stderr.awaitLine("refused TLS connection from", local);
    }

    assertThat(client.get("k").strings()).containsExactly("original");
    assertThat(log.lines().filter(line -> line.contains(local))).as(log)
        .singleElement().asString().contains("refused TLS connection from").contains("no certificate");
  }

  @Test
  void aNodeCertificateReplacedOnDiskIsPresentedOnTheNextConnection() throws Exception {
    Path probe = pki.member("probe");
    InetSocketAddress n1 = addresses.get("n1");
    BigInteger before = serialSeenAt(probe, n1);
    assertThat(before).isEqualTo(Certificates.readCertificate(dir.resolve("pki/n1/cert.pem")).getSerialNumber());

    BigInteger rotated = Certificates.newSerial();
    Instant now = Instant.now();
    pki.write(dir.resolve("pki/n1"), "n1", CLUSTER, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)),
        rotated);

    assertThat(serialSeenAt(probe, n1)).isEqualTo(rotated).isNotEqualTo(before);
    // and the node still serves clients and peers with its new certificate
    try (KvClient fresh = connect(TlsConfig.fromDirectory(pki.member("client2")))) {
      fresh.put("after-rotation", "ok");
      assertThat(nodes.get("n1").get("after-rotation").strings()).containsExactly("ok");
    }
  }

  // ---- helpers

  private KvClient connect(TlsConfig tls) {
    KvClient.Builder b = KvClient.builder().clusterId(CLUSTER).nodes(addresses).requestTimeout(Duration.ofSeconds(2));
    if (tls != null) {
      b.tls(tls);
    }
    return b.connect();
  }

  /** A put from a client with {@code tls} (null: plain text) fails, the key keeps its value, each node logs why. */
  private void assertRefusedAndChangesNothing(TlsConfig tls, String reason) throws Exception {
    client.put("k", "original");

    String log;
    try (StderrCapture stderr = new StderrCapture(); KvClient bad = connect(tls)) {
      assertThatThrownBy(() -> bad.put("k", "evil")).isInstanceOf(KvStoreException.class);
      assertThatThrownBy(() -> bad.get("k")).isInstanceOf(KvStoreException.class);
      log = stderr.awaitLine("refused TLS connection from /127.0.0.1:", reason);
    }

    assertThat(client.get("k").strings()).containsExactly("original");
    for (KvNode node : nodes.values()) {
      assertThat(node.get("k").strings()).as(node.nodeId()).containsExactly("original");
    }
    assertThat(log).as(log).doesNotContain("closing connection from");
  }

  /** Standard error (where the test's SLF4J logger writes) captured until closed. */
  private static final class StderrCapture implements AutoCloseable {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream stderr = System.err;

    StderrCapture() {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    String text() {
      synchronized (captured) {
        return captured.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits until the log holds a line with each of {@code parts}, and returns the log. */
    String awaitLine(String... parts) {
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> text().lines()
            .anyMatch(line -> java.util.Arrays.stream(parts).allMatch(line::contains)));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("no log line with " + List.of(parts) + " within 10 s; the log:\n" + text(), e);
      }
      return text();
    }

    @Override
    public void close() {
      System.setErr(stderr);
    }
  }

  /** The serial number of the certificate node {@code at} presents to a TLS connection made with {@code member}'s. */
  private BigInteger serialSeenAt(Path member, InetSocketAddress at) throws Exception {
    try (SSLSocket socket = sslSocket(member, at)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** A JDK TLS 1.3 socket that trusts the member's CA and presents its certificate ({@code member} null: none). */
  private SSLSocket sslSocket(Path member, InetSocketAddress at) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", pki.ca());
    TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
    trust.init(trusted);
    KeyManagerFactory keys = null;
    if (member != null) {
      KeyStore own = KeyStore.getInstance("PKCS12");
      own.load(null, null);
      own.setKeyEntry("me", Certificates.readPrivateKey(member.resolve("key.pem")), NO_PASSWORD,
          new X509Certificate[] {Certificates.readCertificate(member.resolve("cert.pem"))});
      keys = KeyManagerFactory.getInstance("PKIX");
      keys.init(own, NO_PASSWORD);
    }
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(at.getAddress(), at.getPort());
    socket.setSoTimeout(10_000);
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    return socket;
  }

  /** Writes a peer handshake and a client put as the node's framing has them (4-byte length, envelope). */
  private static void sendHandshakeAndPut(SSLSocket socket, String key, String value) {
    EnvelopeStamper stamper = new EnvelopeStamper("intruder", CLUSTER,
        Ring.of(List.of("n1", "n2", "n3"), Ring.DEFAULT_VNODES).placement(3), new LamportClock());
    Envelope put = stamper.request(1, ClientRequests.write(key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8), null, 1, Duration.ofSeconds(2)));
    try {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      for (Envelope e : List.of(stamper.handshake(), put)) {
        byte[] bytes = e.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
      }
      out.flush();
    } catch (IOException refusedAlready) {
      // the node may refuse the TLS handshake before these are written: just as good
    }
  }

  /** Whether the connection ends (end of stream or a TLS alert) before any answer arrives. */
  private static boolean closedWithoutAnAnswer(SSLSocket socket) {
    try {
      return new DataInputStream(socket.getInputStream()).read() == -1;
    } catch (IOException refused) {
      return true;
    }
  }
}
