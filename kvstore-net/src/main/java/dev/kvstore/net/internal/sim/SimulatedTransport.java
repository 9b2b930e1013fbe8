package dev.kvstore.net.internal.sim;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.EnvelopeStamper;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.PeerTimeoutException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import dev.kvstore.net.internal.transport.PendingRequests;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.RequestInvoker;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A node's {@link Transport} on a {@link SimulatedNetwork}: the same stamping, correlation, Lamport and error
 * mapping as Netty, with virtual-time timeouts. The handler runs on the simulation thread when a request is
 * delivered; its reply leaves when its future completes, unless the node crashed in between.
 *
 * <p>Confined to the simulation's thread (checked at every entry point).
 */
final class SimulatedTransport implements Transport {
  /** The cluster id every simulated node stamps. */
  static final String CLUSTER_ID = "simulation";

  private enum State { NEW, UP, DOWN, CLOSED }

  private final SimulatedNetwork network;
  private final String node;
  private final LamportClock lamport = new LamportClock();
  private final EnvelopeStamper stamper;
  private final PendingRequests pending = new PendingRequests(Runnable::run);
  private RequestHandler handler;
  private State state = State.NEW;
  private int incarnation;

  SimulatedTransport(SimulatedNetwork network, String node) {
    this.network = network;
    this.node = node;
    this.stamper = new EnvelopeStamper(node, CLUSTER_ID, lamport);
  }

  @Override
  public String localNode() {
    return node;
  }

  @Override
  public LamportClock lamport() {
    return lamport;
  }

  @Override
  public void serve(RequestHandler handler) {
    network.checkThread();
    Objects.requireNonNull(handler, "handler");
    if (this.handler != null || state != State.NEW) {
      throw new IllegalStateException("node " + node + ": serve() must be called once, before start()");
    }
    this.handler = handler;
  }

  @Override
  public void start() {
    network.checkThread();
    if (state != State.NEW) {
      throw new IllegalStateException("node " + node + ": transport is " + state + ", can start only once");
    }
    state = State.UP;
    network.note("start " + node);
  }

  @Override
  public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
    network.checkThread();
    Objects.requireNonNull(to, "to");
    Envelopes.checkRequestBody(body);
    if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
    }
    if (state == State.NEW) {
      throw new IllegalStateException("node " + node + ": start() the transport before sending requests");
    }
    if (state != State.UP) {
      return CompletableFuture.failedFuture(PeerUnavailableException.notSent(to, "node " + node + " is "
          + (state == State.DOWN ? "crashed" : "closed") + " and cannot send"));
    }
    if (!network.isReachable(to)) {
      return CompletableFuture.failedFuture(PeerUnavailableException.notSent(to, "node " + node + " knows no peer '"
          + to + "' on the simulated network"));
    }
    CompletableFuture<Envelope> reply = new CompletableFuture<>();
    long id = pending.register(to, reply);
    Envelope envelope = stamper.request(id, body);
    pending.attachTimeout(id, network.schedule(node, timeout.toNanos(), () -> timedOut(envelope, to, timeout)));
    network.send(this, to, envelope);
    return reply;
  }

  @Override
  public void close() {
    network.checkThread();
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    incarnation++;
    pending.failIf(peer -> true, new PeerUnavailableException("the transport of node " + node + " is closed", node, true, null));
    network.unregister(this);
  }

  @Override
  public String toString() {
    return "SimulatedTransport[" + node + ", " + state + "]";
  }

  // ---- for the network, on the simulation thread

  boolean isStarted() {
    return state != State.NEW && state != State.CLOSED;
  }

  boolean isUp() {
    return state == State.UP;
  }

  boolean isDown() {
    return state == State.DOWN;
  }

  int incarnation() {
    return incarnation;
  }

  void crash() {
    state = State.DOWN;
    incarnation++;
    pending.failIf(peer -> true, new PeerUnavailableException("node " + node + " crashed", node, true, null));
  }

  void restart() {
    state = State.UP;
  }

  void receive(Envelope envelope) {
    long now = lamport.observe(envelope.getLamport());
    if (envelope.getIsReply()) {
      if (!pending.complete(envelope)) {
        network.record(envelope.getSender(), node, envelope, "ignored (no such pending request)");
      }
      return;
    }
    int servedBy = incarnation;
    RequestInvoker.invoke(handler, envelope, node, now).whenComplete((body, failure) -> {
      if (state != State.UP || incarnation != servedBy) {
        network.record(node, envelope.getSender(), envelope, "reply dropped (node restarted or closed)");
        return;
      }
      Envelope reply = failure == null ? stamper.reply(envelope, body) : stamper.failure(envelope, failure);
      network.send(this, envelope.getSender(), reply);
    });
  }

  void refused(Envelope request, String to) {
    pending.fail(request.getRequestId(), PeerUnavailableException.notSent(to, "node " + to
        + " is down: connection refused"));
  }

  private void timedOut(Envelope request, String to, Duration timeout) {
    if (pending.fail(request.getRequestId(), new PeerTimeoutException("no reply from node " + to + " to "
        + Envelopes.kind(request) + " request #" + request.getRequestId() + " within " + timeout.toMillis()
        + " ms", to))) {
      network.record(node, to, request, "timeout");
    }
  }
}
