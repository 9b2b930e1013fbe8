package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.google.protobuf.ByteString;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Handshake;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.PeerException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import dev.kvstore.net.internal.transport.RealScheduler;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import dev.kvstore.net.internal.transport.TransportContractTest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The transport contract on real sockets, plus what only Netty has: handshake, framing, reconnects, shutdown. */
@Timeout(60)
@ExtendWith(NettyLeakDetection.class)
class NettyTransportTest extends TransportContractTest {
  private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final List<NettyTransport> transports = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private RealScheduler executor;

  @BeforeEach
  void createExecutor() {
    executor = RealScheduler.create("netty-test-exec", 4);
  }

  @AfterEach
  void closeAll() throws Exception {
    transports.forEach(NettyTransport::close);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    executor.close();
  }

  @Override
  protected Transport start(String node, RequestHandler handler) {
    return start(builder(node), handler);
  }

  private NettyTransportBuilder builder(String node) {
    return NettyTransport.builder().nodeId(node).clusterId("test-cluster").listen(ANY_PORT)
        .ioThreads(1).backoff(Duration.ofMillis(10), Duration.ofMillis(100));
  }

  private NettyTransport start(NettyTransportBuilder builder, RequestHandler handler) {
    NettyTransport transport = builder.build();
    transport.serve(handler);
    transport.start();
    for (NettyTransport other : transports) {
      if (!other.localNode().equals(transport.localNode())) {
        other.addPeer(transport.localNode(), transport.boundAddress());
        transport.addPeer(other.localNode(), other.boundAddress());
      }
    }
    transports.add(transport);
    return transport;
  }

  @Override
  protected <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no completion within 30 s", e);
    }
  }

  @Override
  protected Duration shortTimeout() {
    return Duration.ofMillis(300);
  }

  // ---- reconnect backoff

  @Test
  void aPeerThatConnectsToThisNodeEndsTheBackoffTowardsIt() throws IOException {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    InetSocketAddress bAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    NettyTransport a = start(builder("a").backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)),
        TransportContractTest::echo);
    a.addPeer("b", bAddress);
    assertThat(failureOf(a.request("b", read("k"), LONG))).as("b is not listening yet")
        .isInstanceOf(PeerUnavailableException.class);
    assertThat(failureOf(a.request("b", read("k"), LONG))).as("a backs off for 15-30 s")
        .hasMessageContaining("reconnect backoff");

    NettyTransport b = builder("b").listen(bAddress).build();
    b.serve(TransportContractTest::echo);
    b.start();
    transports.add(b);
    b.addPeer("a", a.boundAddress());
    await(b.request("a", read("k"), LONG)); // b connects to a and shakes hands

    Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(siblings(await(a.request("b", read("again"), LONG)))).as("a reaches b within the backoff")
            .isEqualTo("again"));
  }

  // ---- handshake

  @Test
  void peerOfAnotherClusterIsRefusedWithTheReasonLogged() {
    start("b", TransportContractTest::echo);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    NettyTransport stranger;
    Throwable failure;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      stranger = start(builder("c").clusterId("other-cluster"), TransportContractTest::echo);
      failure = failureOf(stranger.request("b", read("k"), LONG));
    } finally {
      System.setErr(stderr);
    }

    assertThat(failure).isInstanceOf(PeerException.class).hasMessageContaining("cluster 'test-cluster'")
        .hasMessageContaining("other-cluster");
    assertThat(((PeerException) failure).code()).isEqualTo(ErrorCode.WRONG_CLUSTER);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("refused connection from")
        .contains("other-cluster");
  }

  @Test
  void peerThatPlacesKeysDifferentlyIsRefusedButOneWithoutAPlacementIsNot() {
    start(builder("b").placement("N=3, 256 virtual nodes, nodes [a, b, c]"), TransportContractTest::echo);
    NettyTransport stranger = start(builder("c").placement("N=2, 256 virtual nodes, nodes [a, b, c]"),
        TransportContractTest::echo);
    Throwable failure = failureOf(stranger.request("b", read("k"), LONG));
    assertThat(failure).isInstanceOf(PeerException.class)
        .hasMessageContaining("places keys by N=3").hasMessageContaining("not by N=2");
    assertThat(((PeerException) failure).code()).isEqualTo(ErrorCode.WRONG_PLACEMENT);

    NettyTransport unchecked = start(builder("d"), TransportContractTest::echo);
    assertThat(siblings(unchecked.request("b", read("k"), LONG).join())).as("no placement: not checked").isEqualTo("k");
  }

  @Test
  void peerWithAnotherProtocolVersionIsRefusedAndDisconnected() throws IOException {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    try (RawPeer raw = new RawPeer(b.boundAddress())) {
      raw.send(handshake("test-cluster", Envelopes.PROTOCOL_VERSION + 1));

      Envelope answer = raw.receive();

      assertThat(answer.getError().getCode()).isEqualTo(ErrorCode.WRONG_VERSION);
      assertThat(answer.getError().getMessage()).contains("protocol version");
      assertThat(raw.isClosedByPeer()).isTrue();
    }
  }

  @Test
  void rawPeerWithTheRightHandshakeIsAcceptedAndServed() throws IOException {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    try (RawPeer raw = new RawPeer(b.boundAddress())) {
      raw.send(handshake("test-cluster", Envelopes.PROTOCOL_VERSION));
      assertThat(raw.receive().getHandshakeAck().getNodeId()).isEqualTo("b");

      raw.send(read("raw").setRequestId(7).setSender("raw").setLamport(1).build());
      Envelope reply = raw.receive();

      assertThat(reply.getRequestId()).isEqualTo(7);
      assertThat(siblings(reply)).isEqualTo("raw");
    }
  }

  @Test
  void peerAnsweringWithAnotherNodeIdIsRefused() {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    NettyTransport a = (NettyTransport) start("a");
    a.addPeer("x", b.boundAddress());

    assertThat(failureOf(a.request("x", read("k"), LONG))).isInstanceOf(PeerUnavailableException.class)
        .hasMessageContaining("expected node x").hasMessageContaining("node b answered")
        .satisfies(e -> assertThat(((PeerUnavailableException) e).wasSent()).as("refused at the handshake").isFalse());
  }

  // ---- bad bytes on the port

  @Test
  void randomBytesCloseThatConnectionWhileProperPeersAreStillServed() throws IOException {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    Transport a = start("a");
    assertThat(siblings(await(a.request("b", read("before"), LONG)))).isEqualTo("before");
    byte[] garbage = new byte[256];
    new SplittableRandom(42).nextBytes(garbage);

    try (RawPeer raw = new RawPeer(b.boundAddress())) {
      raw.sendBytes(garbage);
      assertThat(raw.isClosedByPeer()).isTrue();
    }

    assertThat(siblings(await(a.request("b", read("after"), LONG)))).isEqualTo("after");
  }

  @Test
  void oversizedFrameClosesThatConnectionEvenAfterAHandshake() throws IOException {
    NettyTransport b = start(builder("b").maxFrameBytes(1024), TransportContractTest::echo);
    Transport a = start("a");
    try (RawPeer raw = new RawPeer(b.boundAddress())) {
      raw.send(handshake("test-cluster", Envelopes.PROTOCOL_VERSION));
      raw.receive();

      raw.sendBytes(new byte[] {0, 0, 0x08, 0x01, 1, 2, 3, 4});

      assertThat(raw.isClosedByPeer()).isTrue();
    }
    assertThat(siblings(await(a.request("b", read("still"), LONG)))).isEqualTo("still");
  }

  @Test
  void firstMessageThatIsNotAHandshakeClosesTheConnection() throws IOException {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    try (RawPeer raw = new RawPeer(b.boundAddress())) {
      raw.send(read("sneaky").setRequestId(1).setSender("raw").build());

      assertThat(raw.isClosedByPeer()).isTrue();
    }
  }

  @Test
  void requestOverTheMaximumFrameFailsWithoutBreakingTheConnection() {
    start("b", TransportContractTest::echo);
    NettyTransport a = start(builder("a").maxFrameBytes(1024), request -> new CompletableFuture<>());
    Envelope.Builder huge = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setSiblings(ByteString.copyFrom(new byte[2048])));

    assertThat(failureOf(a.request("b", huge, LONG))).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("maximum frame size");
    assertThat(siblings(await(a.request("b", read("small"), LONG)))).isEqualTo("small");
  }

  // ---- connections

  @Test
  void reconnectsAfterThePeerRestartsOnTheSamePort() {
    NettyTransport b = (NettyTransport) start("b", TransportContractTest::echo);
    Transport a = start("a");
    InetSocketAddress address = b.boundAddress();
    assertThat(siblings(await(a.request("b", read("one"), LONG)))).isEqualTo("one");

    b.close();
    assertThat(failureOf(a.request("b", read("down"), LONG))).isInstanceOf(PeerUnavailableException.class);
    NettyTransport restarted = builder("b").listen(address).build();
    transports.add(restarted);
    restarted.serve(TransportContractTest::echo);
    restarted.start();

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.request("b", read("two"), LONG)
        .handle((reply, failure) -> reply != null && siblings(reply).equals("two")).join());
  }

  @Test
  void peerClosingFailsRequestsInFlightAtOnceRatherThanAtTheirTimeout() throws Exception {
    CompletableFuture<Void> arrived = new CompletableFuture<>();
    Transport b = start("b", request -> {
      arrived.complete(null);
      return new CompletableFuture<>();
    });
    Transport a = start("a");
    CompletableFuture<Envelope> inFlight = a.request("b", read("k"), Duration.ofSeconds(30));
    arrived.get(10, TimeUnit.SECONDS);

    b.close();

    assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(PeerUnavailableException.class)
        .satisfies(e -> assertThat(((PeerUnavailableException) e.getCause()).wasSent())
            .as("written before the connection closed: it may have executed").isTrue());
  }

  @Test
  void requestsQueueWhileTheHandshakeIsPendingAndOverflowAsOverloaded() throws IOException {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(silent);
    NettyTransport a = start(builder("a").maxQueuedRequests(2).connectTimeout(Duration.ofMillis(500)),
        request -> new CompletableFuture<>());
    a.addPeer("mute", (InetSocketAddress) silent.getLocalSocketAddress());

    CompletableFuture<Envelope> first = a.request("mute", read("1"), LONG);
    CompletableFuture<Envelope> second = a.request("mute", read("2"), LONG);
    Throwable third = failureOf(a.request("mute", read("3"), LONG));

    assertThat(third).isInstanceOf(dev.kvstore.core.OverloadedException.class)
        .hasMessageContaining("waiting for node mute");
    assertThat(failureOf(first)).isInstanceOf(PeerUnavailableException.class)
        .hasMessageContaining("before the handshake completed")
        .satisfies(e -> assertThat(((PeerUnavailableException) e).wasSent()).as("still queued: never sent").isFalse());
    assertThat(failureOf(second)).isInstanceOf(PeerUnavailableException.class)
        .satisfies(e -> assertThat(((PeerUnavailableException) e).wasSent()).isFalse());
  }

  @Test
  void requestToItselfIsServedThroughItsOwnPort() {
    Transport a = start("a", TransportContractTest::echo);

    assertThat(siblings(await(a.request("a", read("self"), LONG)))).isEqualTo("self");
  }

  @Test
  void closeStopsEveryEventLoopThread() {
    start("b", TransportContractTest::echo);
    Transport a = start("a");
    await(a.request("b", read("k"), LONG));
    assertThat(threadsNamed("kv-net-a-")).isNotEmpty();

    transports.forEach(NettyTransport::close);

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("kv-net-a-").isEmpty()
        && threadsNamed("kv-net-b-").isEmpty());
  }

  @Test
  void builderChecksEachOption() {
    NettyTransportBuilder b = NettyTransport.builder();
    assertThatThrownBy(() -> b.maxFrameBytes(10))
        .hasMessageContaining("maxFrameBytes must be between");
    assertThatThrownBy(() -> b.ioThreads(0)).hasMessageContaining("ioThreads");
    assertThatThrownBy(() -> b.nodeId(" ")).hasMessageContaining("nodeId");
    assertThatThrownBy(
        () -> b.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("max delay");
    assertThatThrownBy(b::build).hasMessageContaining("missing: nodeId");
    assertThatThrownBy(() -> builder("a")
        .peers(Map.of("a", ANY_PORT)).build()).hasMessageContaining("must not include the node itself");
  }

  private static List<String> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(name -> name.startsWith(prefix)).toList();
  }

  private static Envelope handshake(String cluster, int version) {
    return Envelope.newBuilder().setSender("raw").setClusterId(cluster).setProtocolVersion(version).setLamport(1)
        .setHandshake(Handshake.newBuilder().setNodeId("raw").setClusterId(cluster).setProtocolVersion(version))
        .build();
  }

  /** A peer speaking the wire format by hand over a blocking socket: 4-byte big-endian length + envelope. */
  private static final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    RawPeer(InetSocketAddress address) throws IOException {
      socket = new Socket(address.getAddress(), address.getPort());
      socket.setSoTimeout(10_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    void send(Envelope envelope) throws IOException {
      byte[] payload = envelope.toByteArray();
      out.writeInt(payload.length);
      out.write(payload);
      out.flush();
    }

    void sendBytes(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    Envelope receive() throws IOException {
      byte[] payload = new byte[in.readInt()];
      in.readFully(payload);
      return Envelope.parseFrom(payload);
    }

    /** Reads until the end of the stream; true if the server closed it (a reset counts) within 10 s. */
    boolean isClosedByPeer() throws IOException {
      try {
        while (in.read() >= 0) {
          // drain whatever was sent before the close
        }
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return e.getMessage() != null && e.getMessage().contains("reset");
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
