package dev.kvstore.net.internal.netty;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.core.internal.Arguments;
import dev.kvstore.net.internal.transport.ActorCounterExchange;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configures a {@link NettyTransport}; each setter checks its argument at once, {@link #build()} checks that
 * the required ones are set. Not thread-safe.
 */
public final class NettyTransportBuilder {
  private static final int MIN_FRAME = 1024;
  private static final int MAX_FRAME = 1 << 30;

  String nodeId;
  String clusterId;
  InetSocketAddress listen;
  final Map<String, InetSocketAddress> peers = new HashMap<>();
  int maxFrameBytes = 16 << 20;
  Duration connectTimeout = Duration.ofSeconds(3);
  Duration backoffInitial = Duration.ofMillis(50);
  Duration backoffMax = Duration.ofSeconds(2);
  int ioThreads = 1;
  String placement = "";
  int maxQueuedRequests = 10_000;
  LamportClock lamport;
  ActorCounterExchange actorCounters = ActorCounterExchange.NONE;
  TlsContexts tls;

  NettyTransportBuilder() {}

  /**
   * Sets this node's id (required).
   *
   * @throws NullPointerException if {@code id} is null
   * @throws IllegalArgumentException if {@code id} is blank
   */
  public NettyTransportBuilder nodeId(String id) {
    this.nodeId = checkNodeId(id, "nodeId");
    return this;
  }

  /**
   * Sets the cluster id (required); peers with another cluster id are refused at the handshake.
   *
   * @throws NullPointerException if {@code id} is null
   * @throws IllegalArgumentException if {@code id} is blank
   */
  public NettyTransportBuilder clusterId(String id) {
    if (Objects.requireNonNull(id, "clusterId").isBlank()) {
      throw new IllegalArgumentException("clusterId must not be blank");
    }
    this.clusterId = id;
    return this;
  }

  /**
   * Sets the address to listen on (required); port 0 picks a free port, see {@link NettyTransport#boundAddress()}.
   *
   * @throws NullPointerException if {@code address} is null
   */
  public NettyTransportBuilder listen(InetSocketAddress address) {
    this.listen = Objects.requireNonNull(address, "listen");
    return this;
  }

  /**
   * Sets what the handshake carries for restore detection (default {@link ActorCounterExchange#NONE}).
   *
   * @throws NullPointerException if {@code exchange} is null
   */
  public NettyTransportBuilder actorCounters(ActorCounterExchange exchange) {
    this.actorCounters = Objects.requireNonNull(exchange, "actorCounters");
    return this;
  }

  /**
   * Sets the known peers, node id to address (default none; see also {@link NettyTransport#addPeer}).
   *
   * @throws NullPointerException if the map, a key or a value is null
   * @throws IllegalArgumentException if a node id is blank
   */
  public NettyTransportBuilder peers(Map<String, InetSocketAddress> peers) {
    Objects.requireNonNull(peers, "peers").forEach((id, address) -> {
      checkNodeId(id, "peer id");
      Objects.requireNonNull(address, "address of peer " + id);
    });
    this.peers.clear();
    this.peers.putAll(peers);
    return this;
  }

  /**
   * Sets the largest envelope sent or accepted, in bytes, length prefix not included (default 16 MiB).
   *
   * @throws IllegalArgumentException if not in [1024, 2^30]
   */
  public NettyTransportBuilder maxFrameBytes(int bytes) {
    this.maxFrameBytes = Arguments.checkRange("maxFrameBytes", bytes, MIN_FRAME, MAX_FRAME);
    return this;
  }

  /**
   * Sets how long a TCP connect, and then the handshake, may take (default 3 s).
   *
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if not in [1 ms, 1 min]
   */
  public NettyTransportBuilder connectTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "connectTimeout");
    this.connectTimeout = Arguments.checkRange("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
    return this;
  }

  /**
   * Sets the reconnect backoff: after the k-th failed connection to a peer, requests to it fail fast for a
   * jittered {@code min(max, initial * 2^(k-1))} (default 50 ms, 2 s).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code initial} is not positive or {@code max < initial}
   */
  public NettyTransportBuilder backoff(Duration initial, Duration max) {
    new Backoff(Objects.requireNonNull(initial, "initial"), Objects.requireNonNull(max, "max"));
    this.backoffInitial = initial;
    this.backoffMax = max;
    return this;
  }

  /**
   * Sets this node's key placement ({@code Ring.placement(n)}), sent in its handshakes; a peer whose own
   * placement is set and differs refuses the connection with {@code WRONG_PLACEMENT}. Empty (the default):
   * not sent, not checked.
   *
   * @throws NullPointerException if {@code placement} is null
   */
  public NettyTransportBuilder placement(String placement) {
    this.placement = Objects.requireNonNull(placement, "placement");
    return this;
  }

  /**
   * Sets the number of event loop threads (default 1: a node serves its requests on one loop).
   *
   * @throws IllegalArgumentException if not in [1, 64]
   */
  public NettyTransportBuilder ioThreads(int threads) {
    this.ioThreads = Arguments.checkRange("ioThreads", threads, 1, 64);
    return this;
  }

  /**
   * Sets how many requests may wait per peer for its connection or its writability before further ones fail
   * as OVERLOADED (default 10,000).
   *
   * @throws IllegalArgumentException if not in [1, 1,000,000]
   */
  public NettyTransportBuilder maxQueuedRequests(int requests) {
    this.maxQueuedRequests = Arguments.checkRange("maxQueuedRequests", requests, 1, 1_000_000);
    return this;
  }

  /**
   * Turns on mutual TLS for every connection, both ways (default off: plain TCP).
   *
   * @throws NullPointerException if {@code contexts} is null
   */
  public NettyTransportBuilder tls(TlsContexts contexts) {
    this.tls = Objects.requireNonNull(contexts, "tls");
    return this;
  }

  /**
   * Shares the node's Lamport clock with the transport (default: a new clock).
   *
   * @throws NullPointerException if {@code clock} is null
   */
  public NettyTransportBuilder lamport(LamportClock clock) {
    this.lamport = Objects.requireNonNull(clock, "lamport");
    return this;
  }

  /**
   * Creates the transport (not started).
   *
   * @throws IllegalStateException if node id, cluster id or listen address is missing, or the peers
   *     include this node's own id
   */
  public NettyTransport build() {
    if (nodeId == null || clusterId == null || listen == null) {
      throw new IllegalStateException("nodeId, clusterId and listen are required; missing:"
          + (nodeId == null ? " nodeId" : "") + (clusterId == null ? " clusterId" : "")
          + (listen == null ? " listen" : ""));
    }
    if (peers.containsKey(nodeId)) {
      throw new IllegalStateException("peers must not include the node itself (" + nodeId
          + "): requests to self go to the bound address");
    }
    return new NettyTransport(this);
  }

  static String checkNodeId(String id, String what) {
    if (Objects.requireNonNull(id, what).isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return id;
  }
}
