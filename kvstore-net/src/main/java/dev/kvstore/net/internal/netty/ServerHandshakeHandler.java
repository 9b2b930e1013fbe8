package dev.kvstore.net.internal.netty;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Handshake;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.LogContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts or refuses a connection a peer opened: the first message must be a {@code Handshake} with our cluster
 * id and protocol version, and our key placement if both sides state one, within the connect timeout.
 * Accepted: replies {@code HandshakeAck} and removes itself. Refused: replies an {@code Error} (WRONG_CLUSTER,
 * WRONG_VERSION or WRONG_PLACEMENT), logs the reason with the remote address, and closes. Anything else first
 * closes the connection.
 *
 * <p>One instance per channel, event-loop confined.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
  /** The node id a peer announced in its handshake, for log lines about its connection. */
  static final AttributeKey<String> REMOTE_NODE = AttributeKey.valueOf("kvstore.remoteNode");

  private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

  private final NettyTransport transport;
  private ScheduledFuture<?> timer;
  private boolean refused;

  ServerHandshakeHandler(NettyTransport transport) {
    this.transport = transport;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long nanos = transport.connectTimeout().toNanos();
    timer = ctx.executor().schedule(() -> {
      transport.logged(() -> {
        log.warn("no handshake from {} within {} ms; closing the connection", ctx.channel().remoteAddress(),
            nanos / 1_000_000);
      });
      ctx.close();
    }, nanos, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      return;
    }
    Envelope envelope = (Envelope) msg;
    long now = transport.lamport().observe(envelope.getLamport());
    LogContext.run(transport.localNode(), now, () -> onHandshake(ctx, envelope));
  }

  private Error check(Handshake hello) {
    if (!hello.getClusterId().equals(transport.clusterId())) {
      return Error.newBuilder().setCode(ErrorCode.WRONG_CLUSTER).setMessage("node " + transport.localNode()
          + " belongs to cluster '" + transport.clusterId() + "', not '" + hello.getClusterId() + "'").build();
    }
    if (hello.getProtocolVersion() != Envelopes.PROTOCOL_VERSION) {
      return Error.newBuilder().setCode(ErrorCode.WRONG_VERSION).setMessage("node " + transport.localNode()
          + " speaks protocol version " + Envelopes.PROTOCOL_VERSION + ", not " + hello.getProtocolVersion())
          .build();
    }
    String ours = transport.placement();
    if (!ours.isEmpty() && !hello.getPlacement().isEmpty() && !ours.equals(hello.getPlacement())) {
      return Error.newBuilder().setCode(ErrorCode.WRONG_PLACEMENT).setMessage("node " + transport.localNode()
          + " places keys by " + ours + ", not by " + hello.getPlacement()
          + "; give every node and client the same nodes, N and virtual nodes").build();
    }
    return null;
  }

  private void refuse(ChannelHandlerContext ctx) {
    refused = true;
    cancelTimer();
    ctx.channel().config().setAutoRead(false);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void onHandshake(ChannelHandlerContext ctx, Envelope envelope) {
    if (!envelope.hasHandshake()) {
      log.warn("first message from {} is a {} envelope, not a handshake; closing the connection",
          ctx.channel().remoteAddress(), Envelopes.kind(envelope));
      refuse(ctx);
      ctx.close();
      return;
    }
    Error refusal = check(envelope.getHandshake());
    if (refusal != null) {
      log.warn("refused connection from {} (node '{}'): {}", ctx.channel().remoteAddress(),
          envelope.getHandshake().getNodeId(), refusal.getMessage());
      refuse(ctx);
      ctx.writeAndFlush(transport.stamper().error(envelope, refusal)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    cancelTimer();
    ctx.channel().attr(REMOTE_NODE).set(envelope.getHandshake().getNodeId());
    ctx.pipeline().remove(this);
    String remote = envelope.getHandshake().getNodeId();
    ctx.writeAndFlush(transport.stamper().handshakeAck(envelope, transport.actorCounters().heldFor(remote)));
    transport.heardFrom(remote);
    log.debug("accepted connection from node {} at {}", envelope.getHandshake().getNodeId(),
        ctx.channel().remoteAddress());
  }
}
