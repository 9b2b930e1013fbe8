package dev.kvstore.net.internal.transport;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.net.internal.proto.Envelope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests to peers and serves theirs. Implementations stamp every outgoing envelope with the sender,
 * cluster id, protocol version, request id and Lamport time: callers pass only the body.
 *
 * <p>Every send ticks {@link #lamport()}, every receive observes the envelope's Lamport time, and log lines of
 * the transport and of the handler invocation carry the MDC keys {@code node} and {@code lamport}.
 *
 * <p>Implementations are thread-safe (the simulated one confines itself to the thread that drives its
 * network).
 */
public interface Transport extends AutoCloseable {

  /** Returns the id of the node this transport belongs to. */
  String localNode();

  /**
   * Installs the handler for incoming requests; call it once, before {@link #start()}. The handler is called on
   * the thread that read the request (Netty: its event loop; it must not block, and hands blocking work to an
   * executor itself) with the MDC keys {@code node} and {@code lamport} set, and
   * returns the reply body (an {@code Envelope.Builder} with only the body set) asynchronously. A handler that
   * throws or completes exceptionally sends back an {@code Error} body mapped by {@link ErrorCodes}.
   *
   * @param handler the handler of every incoming request
   * @throws NullPointerException if {@code handler} is null
   * @throws IllegalStateException if a handler is installed already or the transport has started
   */
  void serve(RequestHandler handler);

  /**
   * Starts the transport: Netty binds its listen address (peers are connected lazily); the simulation
   * registers the node on its network.
   *
   * @throws IllegalStateException if it was started or closed before
   * @throws dev.kvstore.core.KvStoreException if the listen address cannot be bound
   */
  void start();

  /**
   * Sends a request and completes with the reply envelope. Never blocks the caller. The future may complete
   * on a network event loop: callbacks chained to it must not block (hand blocking work to an executor).
   *
   * <p>The returned future completes exceptionally with: the exception mapped from an {@code Error} reply
   * ({@link ErrorCodes}); {@link PeerTimeoutException} when no reply arrives within {@code timeout};
   * {@link PeerUnavailableException} when the peer is unknown, unreachable or the transport is closed.
   *
   * @param to the node id of the peer
   * @param body an envelope builder with only the body set (not a handshake, handshake ack or error body);
   *     it is not modified
   * @param timeout how long to wait for the reply, positive
   * @return the reply envelope, whose body is the peer's answer (never an {@code Error})
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the body is missing or reserved for the transport, or the timeout is
   *     not positive
   * @throws IllegalStateException if the transport was not started
   */
  CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout);

  /** Returns this node's Lamport clock, ticked on every send and advanced on every receive. */
  LamportClock lamport();

  /**
   * Stops the transport: closes its connections, fails outstanding requests with
   * {@link PeerUnavailableException} and releases its threads. Idempotent.
   */
  @Override
  void close();
}
