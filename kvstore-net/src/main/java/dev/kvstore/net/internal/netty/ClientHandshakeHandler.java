package dev.kvstore.net.internal.netty;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.ActorCounterExchange;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.LogContext;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens our connection to a peer: sends the {@code Handshake} as soon as the channel is active and waits, up
 * to the connect timeout, for a {@code HandshakeAck} from the expected node (then removes itself, hands the
 * counters the peer holds of our actors to the {@link ActorCounterExchange}, and lets the connection send its
 * queued requests) or an {@code Error} (the refusal fails the queued requests with the
 * mapped exception). Anything else closes the connection.
 *
 * <p>One instance per channel, event-loop confined.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientHandshakeHandler.class);

  private final NettyTransport transport;
  private final PeerConnection connection;
  private ScheduledFuture<?> timer;

  ClientHandshakeHandler(NettyTransport transport, PeerConnection connection) {
    this.transport = transport;
    this.connection = connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(transport.stamper().handshake());
    long nanos = transport.connectTimeout().toNanos();
    timer = ctx.executor().schedule(() -> {
      transport.logged(() -> {
        log.warn("node {} at {} did not answer the handshake within {} ms; closing", connection.peer(),
            ctx.channel().remoteAddress(), nanos / 1_000_000);
      });
      ctx.close();
    }, nanos, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Envelope envelope = (Envelope) msg;
    long now = transport.lamport().observe(envelope.getLamport());
    timer.cancel(false);
    LogContext.run(transport.localNode(), now, () -> onAnswer(ctx, envelope));
  }

  private void onAnswer(ChannelHandlerContext ctx, Envelope envelope) {
    if (envelope.hasHandshakeAck() && envelope.getHandshakeAck().getNodeId().equals(connection.peer())) {
      ctx.pipeline().remove(this);
      // before any queued request leaves: it may be a write this node coordinated
      transport.actorCounters().reported(connection.peer(), envelope.getHandshakeAck().getYourActorCountersMap());
      connection.onReady(ctx.channel());
    } else if (envelope.hasError()) {
      connection.onRefused(ctx.channel(), ErrorCodes.toException(envelope.getError(), connection.peer()));
    } else if (envelope.hasHandshakeAck()) {
      connection.onRefused(ctx.channel(), PeerUnavailableException.notSent(connection.peer(), "expected node " + connection.peer()
          + " at " + ctx.channel().remoteAddress() + " but node " + envelope.getHandshakeAck().getNodeId()
          + " answered; check the peer addresses"));
    } else {
      log.warn("node {} at {} answered the handshake with a {} envelope; closing", connection.peer(),
          ctx.channel().remoteAddress(), Envelopes.kind(envelope));
      ctx.close();
    }
  }
}
