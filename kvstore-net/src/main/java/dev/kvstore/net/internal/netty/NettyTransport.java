package dev.kvstore.net.internal.netty;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.ActorCounterExchange;
import dev.kvstore.net.internal.transport.EnvelopeStamper;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.LogContext;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import dev.kvstore.net.internal.transport.PendingRequests;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Transport}: TCP through Netty, one event loop group per node (native epoll where
 * available), length-prefixed protobuf frames with a maximum size, a handshake that checks cluster id and
 * protocol version, request correlation with per-request timeouts, one lazily connected outbound channel per
 * peer with capped exponential reconnect backoff, back-pressure from channel writability, and, given {@link
 * TlsContexts}, mutual TLS 1.3 on every connection (docs/security.md). Wire format: docs/protocol.md.
 *
 * <p>Thread-safe. Event loops never block, but for the log force a node's loop makes at the end of a pass
 * (docs/design.md). A request is served to completion on the event loop that read it
 * (the handler must not block), and its reply leaves with the others of the same pass in one flush. Request
 * futures complete on the event loop that read the reply (or on the thread that timed out or failed them),
 * so their callbacks must not block; a request sent from an event loop is written there at once, and the
 * requests of one pass to one peer leave in one flush.
 *
 * <p>Implementation notes. Each node has an outbound channel per peer (its requests, their replies) and
 * accepts inbound channels (peers' requests, our replies); a channel never carries requests both ways. The
 * state of an outbound channel lives in its {@link PeerConnection}, confined to that channel's event loop.
 * {@link #close()} fails outstanding requests first, then shuts the event loop group down and waits for it.
 */
public final class NettyTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private enum State { NEW, STARTED, CLOSED }

  private final String nodeId;
  private final String clusterId;
  private final String placement;
  private final InetSocketAddress listen;
  private final Map<String, InetSocketAddress> peers;
  private final int maxFrameBytes;
  private final Duration connectTimeout;
  private final Backoff backoff;
  private final int ioThreads;
  private final int maxQueuedRequests;
  private final LamportClock lamport;
  private final ActorCounterExchange actorCounters;
  private final TlsContexts tls;
  private final EnvelopeStamper stamper;
  private final PendingRequests pending;
  private final Map<String, PeerConnection> connections = new ConcurrentHashMap<>();
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
  private final Object lifecycle = new Object();
  private volatile State state = State.NEW;
  private volatile RequestHandler handler;
  private volatile EventLoops loops;
  private volatile EventLoopGroup group;
  private volatile Channel serverChannel;

  NettyTransport(NettyTransportBuilder b) {
    this.nodeId = b.nodeId;
    this.clusterId = b.clusterId;
    this.listen = b.listen;
    this.peers = new ConcurrentHashMap<>(b.peers);
    this.maxFrameBytes = b.maxFrameBytes;
    this.connectTimeout = b.connectTimeout;
    this.backoff = new Backoff(b.backoffInitial, b.backoffMax);
    this.ioThreads = b.ioThreads;
    this.maxQueuedRequests = b.maxQueuedRequests;
    this.lamport = b.lamport != null ? b.lamport : new LamportClock();
    this.placement = b.placement;
    this.actorCounters = b.actorCounters;
    this.tls = b.tls;
    this.stamper = new EnvelopeStamper(nodeId, clusterId, placement, lamport);
    this.pending = new PendingRequests(Runnable::run);
  }

  /** Returns a builder; node id, cluster id and listen address are required. */
  public static NettyTransportBuilder builder() {
    return new NettyTransportBuilder();
  }

  @Override
  public String localNode() {
    return nodeId;
  }

  @Override
  public LamportClock lamport() {
    return lamport;
  }

  @Override
  public void serve(RequestHandler handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (lifecycle) {
      if (this.handler != null || state != State.NEW) {
        throw new IllegalStateException("node " + nodeId + ": serve() must be called once, before start()");
      }
      this.handler = handler;
    }
  }

  /**
   * {@inheritDoc} Binds the listen address; a transport whose bind failed is closed.
   *
   * @throws IllegalStateException if it was started or closed before
   * @throws KvStoreException if the listen address cannot be bound
   */
  @Override
  public void start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("node " + nodeId + ": transport is " + state + ", can start only once");
      }
      logged(() -> {
        loops = EventLoops.best();
      });
      group = loops.newGroup(ioThreads, "kv-net-" + nodeId);
      ChannelFuture bind = new ServerBootstrap().group(group).channel(loops.serverChannel())
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new InboundChannelInitializer(this))
          .bind(listen).awaitUninterruptibly();
      if (!bind.isSuccess()) {
        state = State.CLOSED;
        shutDownGroup();
        throw new KvStoreException("node " + nodeId + " cannot listen on " + listen + ": " + bind.cause()
            + " (is the port in use?)", bind.cause());
      }
      serverChannel = bind.channel();
      state = State.STARTED;
      logged(() -> {
        log.info("node {}: listening on {} ({} transport, cluster {}, {})", nodeId, boundAddress(), loops, clusterId,
            tls == null ? "plain text" : tls);
      });
    }
  }

  /**
   * Returns the address the transport listens on; with port 0 in the builder, the port the OS picked.
   *
   * @throws IllegalStateException if the transport is not started
   */
  public InetSocketAddress boundAddress() {
    Channel channel = serverChannel;
    if (channel == null) {
      throw new IllegalStateException("node " + nodeId + ": transport is not started");
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Opens a connection to every known peer that has none (connections are otherwise opened by the first
   * request): each handshake then reports to the {@link ActorCounterExchange}, as reported or unreachable.
   *
   * @throws IllegalStateException if the transport is not started
   */
  public void connectAll() {
    if (state != State.STARTED) {
      throw new IllegalStateException("node " + nodeId + ": transport is " + state + ", start it first");
    }
    for (String peer : peers.keySet()) {
      try {
        connection(peer).open();
      } catch (RejectedExecutionException e) {
        actorCounters.unreachable(peer, "the transport is closing");
      }
    }
  }

  /**
   * Adds a peer or changes its address (an open connection to its old address is closed).
   *
   * @param id the peer's node id
   * @param address where it listens
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code id} is blank or this node's own id
   */
  public void addPeer(String id, InetSocketAddress address) {
    NettyTransportBuilder.checkNodeId(id, "peer id");
    Objects.requireNonNull(address, "address");
    if (id.equals(nodeId)) {
      throw new IllegalArgumentException("peer id must not be this node's own id (" + nodeId
          + "): requests to self go to the bound address");
    }
    InetSocketAddress old = peers.put(id, address);
    if (old != null && !old.equals(address)) {
      dropConnection(id);
    }
  }

  /**
   * Forgets a peer: closes its connection and fails its outstanding requests with
   * {@link PeerUnavailableException}. Does nothing for an unknown id.
   *
   * @param id the peer's node id
   */
  public void removePeer(String id) {
    peers.remove(Objects.requireNonNull(id, "id"));
    dropConnection(id);
  }

  /**
   * Every peer by id with its address and whether an open, handshaken connection to it exists now
   * (connections open on first use). For status; from any thread.
   */
  public Map<String, Map.Entry<InetSocketAddress, Boolean>> peerStates() {
    Map<String, Map.Entry<InetSocketAddress, Boolean>> states = new java.util.TreeMap<>();
    peers.forEach((id, address) -> {
      PeerConnection c = connections.get(id);
      states.put(id, Map.entry(address, c != null && c.isUp()));
    });
    return states;
  }

  @Override
  public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
    Objects.requireNonNull(to, "to");
    Envelopes.checkRequestBody(body);
    checkTimeout(timeout);
    State current = state;
    if (current == State.NEW) {
      throw new IllegalStateException("node " + nodeId + ": start() the transport before sending requests");
    }
    if (current == State.CLOSED) {
      return CompletableFuture.failedFuture(closedException().asNotSent());
    }
    PeerConnection connection = connection(to);
    if (connection == null) {
      return CompletableFuture.failedFuture(PeerUnavailableException.notSent(to,
          "node " + nodeId + " knows no peer '" + to + "' (known: " + peers.keySet() + ")"));
    }
    CompletableFuture<Envelope> reply = new CompletableFuture<>();
    long id = pending.register(to, reply);
    Envelope envelope = stamper.request(id, body);
    if (envelope.getSerializedSize() > maxFrameBytes) {
      pending.fail(id, new InvalidRequestException("a " + Envelopes.kind(envelope) + " request of "
          + envelope.getSerializedSize() + " bytes is over the maximum frame size of " + maxFrameBytes + " bytes"));
      return reply;
    }
    try {
      connection.send(envelope, timeout);
    } catch (RejectedExecutionException e) {
      pending.fail(id, closedException().asNotSent());
    }
    if (state == State.CLOSED) {
      pending.fail(id, closedException());
    }
    return reply;
  }

  @Override
  public void close() {
    State previous;
    synchronized (lifecycle) {
      previous = state;
      state = State.CLOSED;
    }
    if (previous == State.CLOSED) {
      return;
    }
    pending.failIf(peer -> true, closedException());
    if (previous == State.STARTED) {
      connections.values().forEach(PeerConnection::shutdown);
      connections.clear();
      serverChannel.close().awaitUninterruptibly(connectTimeout.toMillis());
      closeChannels();
      shutDownGroup();
      logged(() -> {
        log.info("node {}: transport closed", nodeId);
      });
    }
  }

  @Override
  public String toString() {
    return "NettyTransport[" + nodeId + ", " + state + "]";
  }

  // ---- for the handlers of this package

  String clusterId() {
    return clusterId;
  }

  String placement() {
    return placement;
  }

  ActorCounterExchange actorCounters() {
    return actorCounters;
  }

  EnvelopeStamper stamper() {
    return stamper;
  }

  PendingRequests pending() {
    return pending;
  }

  RequestHandler handler() {
    return handler;
  }

  /** The TLS contexts, or null for plain text. */
  TlsContexts tls() {
    return tls;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  /** A peer connected to this node and shook hands: ends a reconnect backoff towards it (see PeerConnection). */
  void heardFrom(String peer) {
    PeerConnection c = connections.get(peer);
    if (c != null) {
      c.heardFrom();
    }
  }

  Backoff backoff() {
    return backoff;
  }

  int maxQueuedRequests() {
    return maxQueuedRequests;
  }

  Class<? extends Channel> clientChannelType() {
    return loops.clientChannel();
  }

  /** Runs {@code action} (a log line) with this node's id and current Lamport time in the MDC. */
  void logged(Runnable action) {
    LogContext.run(nodeId, lamport.current(), action);
  }

  /**
   * Starts the pipeline of a peer connection, the part both directions share: tracks the channel so that {@link
   * #close()} can close it and wait; with TLS on, adds the {@code SslHandler} (server side for a connection a peer
   * opened, {@code connection} null; client side for ours) and its {@link TlsGate}; then the frame and envelope
   * codecs. The caller adds the handshake and what follows it.
   */
  ChannelPipeline openPipeline(Channel channel, PeerConnection connection) {
    channels.add(channel);
    channel.closeFuture().addListener(f -> channels.remove(channel));
    ChannelPipeline pipeline = channel.pipeline();
    if (tls != null) {
      SslHandler ssl;
      if (connection == null) {
        ssl = tls.server().newHandler(channel.alloc());
      } else {
        InetSocketAddress to = connection.address();
        ssl = tls.client().newHandler(channel.alloc(), to.getHostString(), to.getPort());
      }
      ssl.setHandshakeTimeoutMillis(connectTimeout.toMillis());
      pipeline.addLast("tls", ssl);
      pipeline.addLast("tlsGate", new TlsGate(this, connection));
    }
    PeerCodec.addTo(pipeline, maxFrameBytes);
    return pipeline;
  }

  PeerUnavailableException closedException() {
    return new PeerUnavailableException("the transport of node " + nodeId + " is closed", nodeId, true, null);
  }

  // ---- private

  private PeerConnection connection(String to) {
    InetSocketAddress address = to.equals(nodeId) ? boundAddress() : peers.get(to);
    if (address == null) {
      return null;
    }
    return connections.computeIfAbsent(to, peer -> new PeerConnection(this, peer, address, group.next()));
  }

  private void dropConnection(String id) {
    PeerConnection connection = connections.remove(id);
    if (connection != null) {
      connection.shutdown();
    }
  }

  /** Closes every connection explicitly and waits, so peers see the close before the event loops stop. */
  private void closeChannels() {
    List<ChannelFuture> closing = channels.stream().map(Channel::close).toList();
    for (ChannelFuture future : closing) {
      if (!future.awaitUninterruptibly(connectTimeout.toMillis())) {
        logged(() -> log.warn("node {}: connection {} did not close within {} ms", nodeId, future.channel(),
            connectTimeout.toMillis()));
      }
    }
  }

  private void shutDownGroup() {
    EventLoopGroup g = group;
    if (!g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
      log.warn("node {}: event loops still running 10 s after close", nodeId);
    }
  }

  private static void checkTimeout(Duration timeout) {
    if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
    }
  }
}
