package dev.kvstore.net.internal.status;

import dev.kvstore.core.OutcomeUnknownException;
import dev.kvstore.net.NodeStatus;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.StatusPeer;
import dev.kvstore.net.internal.proto.StatusRange;
import dev.kvstore.net.internal.proto.StatusReply;
import dev.kvstore.net.internal.proto.StatusRequest;
import java.util.List;

/** Converts a {@link NodeStatus} to and from its {@code StatusReply} message. Not API. Stateless. */
public final class StatusMessages {
  private StatusMessages() {}

  /** The body of a status request. */
  public static Envelope.Builder request() {
    return Envelope.newBuilder().setStatusRequest(StatusRequest.getDefaultInstance());
  }

  /** The reply body carrying {@code s}. */
  public static Envelope.Builder reply(NodeStatus s) {
    StatusReply.Builder b = StatusReply.newBuilder().setNodeId(s.nodeId()).setClusterId(s.clusterId())
        .setIncarnation(s.incarnation()).setAddress(s.address()).setN(s.n()).setW(s.w()).setR(s.r())
        .setRingShare(s.ringShare()).setKeys(s.keys()).setLogAppends(s.log().appends())
        .setLogGroups(s.log().groups()).setLogForces(s.log().forces()).setWriteRefusal(s.writeRefusal())
        .setHintsDelivered(s.hintsDelivered()).setHintsDropped(s.hintsDropped());
    for (NodeStatus.PeerStatus p : s.peers()) {
      b.addPeers(StatusPeer.newBuilder().setId(p.id()).setAddress(p.address()).setConnected(p.connected())
          .setUp(p.up()).setPhi(p.phi()).setWriteRefusal(p.writeRefusal()).setHintsHeld(p.hintsHeld()));
    }
    for (NodeStatus.RangeStatus r : s.ranges()) {
      b.addRanges(StatusRange.newBuilder().setRange(r.range()).setLastPeer(r.lastPeer())
          .setLastExchangeMillis(r.lastExchange().map(java.time.Instant::toEpochMilli).orElse(0L))
          .setKeysRepaired(r.keysRepaired()).setBytesSent(r.bytesSent()).setInSync(r.inSync()));
    }
    return Envelope.newBuilder().setStatusReply(b);
  }

  /**
   * The status in a reply envelope.
   *
   * @throws OutcomeUnknownException if the envelope is not a status reply
   */
  public static NodeStatus fromReply(Envelope reply) {
    if (!reply.hasStatusReply()) {
      throw new OutcomeUnknownException(reply.getSender(), "node " + reply.getSender() + " answered a status "
          + "request with a " + reply.getBodyCase() + " instead of a STATUS_REPLY (a read: safe to retry)", true, null);
    }
    StatusReply s = reply.getStatusReply();
    List<NodeStatus.PeerStatus> peers = s.getPeersList().stream()
        .map(p -> new NodeStatus.PeerStatus(p.getId(), p.getAddress(), p.getConnected(), p.getUp(), p.getPhi(),
            p.getWriteRefusal(), p.getHintsHeld())).toList();
    return new NodeStatus(s.getNodeId(), s.getClusterId(), s.getIncarnation(), s.getAddress(), s.getN(), s.getW(),
        s.getR(), s.getRingShare(), s.getKeys(),
        new NodeStatus.LogCounters(s.getLogAppends(), s.getLogGroups(), s.getLogForces()), peers,
        s.getWriteRefusal(), s.getHintsDelivered(), s.getHintsDropped(), s.getRangesList().stream()
            .map(r -> new NodeStatus.RangeStatus(r.getRange(), r.getLastPeer(), r.getLastExchangeMillis() == 0
                ? java.util.Optional.empty() : java.util.Optional.of(java.time.Instant.ofEpochMilli(r.getLastExchangeMillis())),
                r.getKeysRepaired(), r.getBytesSent(), r.getInSync())).toList());
  }
}
