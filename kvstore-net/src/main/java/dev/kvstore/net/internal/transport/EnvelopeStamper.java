package dev.kvstore.net.internal.transport;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Handshake;
import dev.kvstore.net.internal.proto.HandshakeAck;
import java.util.Objects;

/**
 * Completes envelopes before they leave a node: sender, cluster id, protocol version, request id, reply flag
 * and a freshly ticked Lamport time. Every method that returns an envelope is a send event.
 *
 * <p>Thread-safe: immutable apart from the thread-safe Lamport clock.
 */
public final class EnvelopeStamper {
  private final String node;
  private final String clusterId;
  private final String placement;
  private final LamportClock lamport;

  /**
   * Creates a stamper for one node.
   *
   * @param node the sending node's id
   * @param clusterId the cluster id
   * @param lamport the node's Lamport clock, ticked on every stamp
   * @throws NullPointerException if an argument is null
   */
  public EnvelopeStamper(String node, String clusterId, LamportClock lamport) {
    this(node, clusterId, "", lamport);
  }

  /**
   * Creates a stamper for one node whose handshakes carry its key placement.
   *
   * @param node the sending node's id
   * @param clusterId the cluster id
   * @param placement the node's key placement ({@code Ring.placement}), empty for none
   * @param lamport the node's Lamport clock, ticked on every stamp
   * @throws NullPointerException if an argument is null
   */
  public EnvelopeStamper(String node, String clusterId, String placement, LamportClock lamport) {
    this.node = Objects.requireNonNull(node, "node");
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    this.placement = Objects.requireNonNull(placement, "placement");
    this.lamport = Objects.requireNonNull(lamport, "lamport");
  }

  /** Returns a request envelope with {@code id} around a copy of {@code body} (which is left unchanged). */
  public Envelope request(long id, Envelope.Builder body) {
    return stamp(body.clone(), id, false);
  }

  /**
   * Returns the reply to {@code request}: {@code body} if it carries a sendable reply body, an {@code Error}
   * saying the handler misbehaved otherwise.
   */
  public Envelope reply(Envelope request, Envelope.Builder body) {
    if (body == null || body.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET
        || Envelopes.isReserved(body.getBodyCase())) {
      String got = body == null ? "null" : body.getBodyCase().toString();
      return error(request, Error.newBuilder().setCode(ErrorCode.UNKNOWN)
          .setMessage("node " + node + " produced no valid reply body for a " + Envelopes.kind(request)
              + " request (got " + got + ")").build());
    }
    return stamp(body.clone(), request.getRequestId(), true);
  }

  /** Returns an {@code Error} reply to {@code request} for {@code failure}, mapped by {@link ErrorCodes}. */
  public Envelope failure(Envelope request, Throwable failure) {
    return error(request, ErrorCodes.toError(failure));
  }

  /** Returns an {@code Error} reply to {@code request} with the given error body. */
  public Envelope error(Envelope request, Error error) {
    return stamp(Envelope.newBuilder().setError(error), request.getRequestId(), true);
  }

  /** Returns the handshake that opens a connection. */
  public Envelope handshake() {
    Handshake hello = Handshake.newBuilder().setNodeId(node).setClusterId(clusterId)
        .setProtocolVersion(Envelopes.PROTOCOL_VERSION).setPlacement(placement).build();
    return stamp(Envelope.newBuilder().setHandshake(hello), Envelopes.HANDSHAKE_REQUEST_ID, false);
  }

  /** Returns the acceptance of {@code handshake}. */
  public Envelope handshakeAck(Envelope handshake) {
    return handshakeAck(handshake, java.util.Map.of());
  }

  /**
   * Returns the acceptance of {@code handshake}, telling the connecting node the highest counter held here for
   * each of its actors (restore detection).
   */
  public Envelope handshakeAck(Envelope handshake, java.util.Map<String, Long> yourActorCounters) {
    return stamp(Envelope.newBuilder().setHandshakeAck(HandshakeAck.newBuilder().setNodeId(node)
        .putAllYourActorCounters(yourActorCounters)), handshake.getRequestId(), true);
  }

  private Envelope stamp(Envelope.Builder builder, long id, boolean reply) {
    return builder.setRequestId(id).setSender(node).setClusterId(clusterId)
        .setProtocolVersion(Envelopes.PROTOCOL_VERSION).setIsReply(reply).setLamport(lamport.tick()).build();
  }
}
