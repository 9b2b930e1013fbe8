package dev.kvstore.net.internal.netty;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.LogContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of our connection to a peer: observes each reply's Lamport time and hands it to the
 * connection for correlation; reports writability changes (back-pressure); logs and closes on any error
 * (undecodable or oversized frame, a request where a reply belongs).
 *
 * <p>One instance per channel, event-loop confined.
 */
final class ReplyHandler extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(ReplyHandler.class);

  private final NettyTransport transport;
  private final PeerConnection connection;

  ReplyHandler(NettyTransport transport, PeerConnection connection) {
    super(Envelope.class);
    this.transport = transport;
    this.connection = connection;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope reply) {
    long now = transport.lamport().observe(reply.getLamport());
    if (!reply.getIsReply()) {
      LogContext.run(transport.localNode(), now, () -> {
        log.warn("node {} at {} sent a {} request on our connection, where only replies belong; closing",
            connection.peer(), ctx.channel().remoteAddress(), Envelopes.kind(reply));
      });
      ctx.close();
      return;
    }
    connection.onReply(reply);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    connection.onWritabilityChanged(ctx.channel());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    transport.logged(() -> {
      log.warn("closing connection to node {} at {}: {}", connection.peer(), ctx.channel().remoteAddress(),
          cause.toString());
    });
    ctx.close();
  }
}
