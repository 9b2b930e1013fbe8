package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.ReadReply;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import dev.kvstore.net.internal.tls.Certificates;
import dev.kvstore.net.internal.testing.TestPki;
import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import com.google.protobuf.ByteString;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutual TLS at the transport, on real sockets, with each provider: requests flow both ways; a connecting node
 * refuses a peer whose certificate expired and says so in the request's failure; a key that does not match its
 * certificate is refused at load; files that do not parse leave the loaded certificate in use until good ones
 * replace them.
 */
@Timeout(60)
@ExtendWith(NettyLeakDetection.class)
class TlsTransportTest {
  private static final String CLUSTER = "tls-transport";
  private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  private static final Duration LONG = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<NettyTransport> transports = new ArrayList<>();

  @AfterEach
  void closeAll() {
    transports.forEach(NettyTransport::close);
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void requestsFlowBothWaysOverMutualTls(SslProvider provider) throws IOException {
    Assumptions.assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "netty-tcnative not available");
    TestPki pki = new TestPki(dir, CLUSTER);
    NettyTransport a = start("a", contexts(pki.member("a"), provider));
    NettyTransport b = start("b", contexts(pki.member("b"), provider));

    assertThat(siblings(a.request("b", read("from-a"), LONG).join())).isEqualTo("from-a");
    assertThat(siblings(b.request("a", read("from-b"), LONG).join())).isEqualTo("from-b");
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void aNodeRefusesAPeerWhoseCertificateExpiredAndTheRequestSaysWhy(SslProvider provider) throws IOException {
    Assumptions.assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "netty-tcnative not available");
    TestPki pki = new TestPki(dir, CLUSTER);
    Instant now = Instant.now();
    Path old = pki.write(dir.resolve("b"), "b", CLUSTER, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)),
        Certificates.newSerial());
    NettyTransport a = start("a", contexts(pki.member("a"), provider));
    start("b", contexts(old, provider));

    CompletableFuture<Envelope> reply = a.request("b", read("k"), LONG);

    assertThatThrownBy(reply::join).isInstanceOf(CompletionException.class);
    Throwable failure = reply.handle((r, e) -> ErrorCodes.unwrap(e)).join();
    assertThat(failure).isInstanceOf(PeerUnavailableException.class)
        .hasMessageContaining("TLS connection to node b").hasMessageContaining("expired: certificate 'CN=b,");
    assertThat(((PeerUnavailableException) failure).mayHaveExecuted()).isFalse();
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefusedAtLoad() throws IOException {
    TestPki pki = new TestPki(dir, CLUSTER);
    Path a = pki.member("a");
    Path b = pki.member("b");

    assertThatThrownBy(() -> TlsContexts.load(a.resolve("ca.pem"), a.resolve("cert.pem"), b.resolve("key.pem"),
        CLUSTER)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> TlsContexts.load(a.resolve("ca.pem"), a.resolve("key.pem"), a.resolve("key.pem"),
        CLUSTER)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot load TLS material");
  }

  @Test
  void aFileThatDoesNotParseKeepsTheLoadedCertificateUntilGoodFilesReplaceIt() throws IOException {
    TestPki pki = new TestPki(dir, CLUSTER);
    Path a = pki.member("a");
    TlsContexts contexts = contexts(a, SslProvider.JDK);
    BigInteger loaded = contexts.serial();
    var server = contexts.server();

    Path half = dir.resolve("half.pem");
    Files.writeString(half, "-----BEGIN CERTIFICATE-----\nMIIB");
    Files.move(half, a.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertThat(contexts.server()).isSameAs(server);
    assertThat(contexts.serial()).isEqualTo(loaded);

    BigInteger next = Certificates.newSerial();
    Instant now = Instant.now();
    pki.write(a, "a", CLUSTER, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), next);
    assertThat(contexts.server()).isNotSameAs(server);
    assertThat(contexts.serial()).isEqualTo(next);
    assertThat(contexts.client()).isNotNull();
  }

  private static TlsContexts contexts(Path member, SslProvider provider) {
    return TlsContexts.load(member.resolve("ca.pem"), member.resolve("cert.pem"), member.resolve("key.pem"), CLUSTER,
        InstantSource.system(), provider);
  }

  private NettyTransport start(String node, TlsContexts tls) {
    NettyTransport transport = NettyTransport.builder().nodeId(node).clusterId(CLUSTER).listen(ANY_PORT).ioThreads(1)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100)).tls(tls).build();
    transport.serve(request -> CompletableFuture.completedFuture(
        Envelope.newBuilder().setReadReply(ReadReply.newBuilder().setSiblings(request.getRead().getKey()))));
    transport.start();
    for (NettyTransport other : transports) {
      other.addPeer(node, transport.boundAddress());
      transport.addPeer(other.localNode(), other.boundAddress());
    }
    transports.add(transport);
    return transport;
  }

  private static Envelope.Builder read(String key) {
    return Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8(key)));
  }

  private static String siblings(Envelope reply) {
    return reply.getReadReply().getSiblings().toStringUtf8();
  }
}
