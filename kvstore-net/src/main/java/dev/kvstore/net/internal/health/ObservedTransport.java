package dev.kvstore.net.internal.health;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.HeartbeatAck;
import dev.kvstore.net.internal.transport.PeerTimeoutException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A transport whose traffic feeds a {@link FailureDetector}: a reply (an error reply too) is an arrival from
 * the peer, a timeout or an unreachable peer is not; a served request is an arrival from its sender; a
 * {@code Heartbeat} is answered here without reaching the node's handler, with this node's write refusal (if
 * any), and the refusal in a peer's answer is told to the detector. Thread-safe as the inner transport.
 */
final class ObservedTransport implements Transport {
  private final Transport inner;
  private final FailureDetector detector;
  private final java.util.function.Supplier<String> writeRefusal;

  ObservedTransport(Transport inner, FailureDetector detector, java.util.function.Supplier<String> writeRefusal) {
    this.inner = inner;
    this.detector = detector;
    this.writeRefusal = writeRefusal;
  }

  @Override
  public String localNode() {
    return inner.localNode();
  }

  @Override
  public void serve(RequestHandler handler) {
    inner.serve(request -> {
      detector.arrived(request.getSender());
      if (request.getBodyCase() == Envelope.BodyCase.HEARTBEAT) {
        String refusal = writeRefusal.get();
        return CompletableFuture.completedFuture(Envelope.newBuilder().setHeartbeatAck(
            HeartbeatAck.newBuilder().setWriteRefusal(refusal == null ? "" : refusal)));
      }
      return handler.handle(request);
    });
  }

  @Override
  public void start() {
    inner.start();
  }

  @Override
  public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
    CompletableFuture<Envelope> reply = inner.request(to, body, timeout);
    detector.sent(to);
    reply.whenComplete((r, failure) -> {
      if (failure == null) {
        detector.arrived(to);
        if (r.getBodyCase() == Envelope.BodyCase.HEARTBEAT_ACK) {
          detector.writeRefusal(to, r.getHeartbeatAck().getWriteRefusal());
        }
      } else {
        Throwable cause = Futures.unwrap(failure);
        if (!(cause instanceof PeerTimeoutException) && !(cause instanceof PeerUnavailableException)) {
          detector.arrived(to); // the peer answered, with an error
        }
      }
    });
    return reply;
  }

  @Override
  public LamportClock lamport() {
    return inner.lamport();
  }

  @Override
  public void close() {
    inner.close();
  }
}
