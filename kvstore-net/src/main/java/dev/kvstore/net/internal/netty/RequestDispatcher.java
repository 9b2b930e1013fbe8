package dev.kvstore.net.internal.netty;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.LogContext;
import dev.kvstore.net.internal.transport.RequestInvoker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection a peer opened: observes each request's Lamport time and runs the request
 * handler to completion on this event loop (the handler never blocks: it hands a disk read to a worker pool
 * itself). Replies are written on the loop and leave in one flush per pass ({@link FlushBatcher}): the
 * replies to the requests of one read, or to one log group, cost one system call. A reply completed on another
 * thread hops onto the loop first.
 *
 * <p>Bounded: at most {@value #MAX_IN_FLIGHT} requests of this connection may await their replies; at that
 * bound the handler stops reading from the socket (TCP pushes back on the peer) and reads again once half have
 * been answered. It also stops reading while the channel is not writable (the peer does not read its replies).
 * Any error (undecodable or oversized frame, a reply or handshake where a request belongs) is logged with the
 * remote address and closes this connection only.
 *
 * <p>One instance per channel, event-loop confined.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  /** The most requests of one connection that may await their replies before reading stops. */
  static final int MAX_IN_FLIGHT = 4096;

  private final NettyTransport transport;
  private FlushBatcher replies;
  private int inFlight; // event-loop confined

  RequestDispatcher(NettyTransport transport) {
    super(Envelope.class);
    this.transport = transport;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    replies = new FlushBatcher(ctx.channel());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Envelope request) {
    long now = transport.lamport().observe(request.getLamport());
    Channel channel = ctx.channel();
    if (request.getIsReply() || Envelopes.isReserved(request.getBodyCase())) {
      LogContext.run(transport.localNode(), now, () -> {
        log.warn("{} sent a {} envelope where only requests belong; closing the connection",
            describe(channel), Envelopes.kind(request));
      });
      ctx.close();
      return;
    }
    if (++inFlight == MAX_IN_FLIGHT) {
      channel.config().setAutoRead(false);
    }
    EventLoop loop = channel.eventLoop();
    RequestInvoker.invoke(transport.handler(), request, transport.localNode(), now)
        .whenComplete((body, failure) -> {
          Envelope reply = reply(request, body, failure);
          if (loop.inEventLoop()) {
            answered(channel, reply);
          } else {
            loop.execute(() -> answered(channel, reply));
          }
        });
  }

  /** Writes a reply (flushed at the end of the pass) and resumes reading once the backlog has halved. */
  private void answered(Channel channel, Envelope reply) {
    replies.write(reply);
    if (--inFlight == MAX_IN_FLIGHT / 2 && channel.isWritable()) {
      channel.config().setAutoRead(true);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable() && inFlight < MAX_IN_FLIGHT);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    transport.logged(() -> {
      log.warn("closing connection from {}: {}", describe(ctx.channel()), cause.toString());
    });
    ctx.close();
  }

  private Envelope reply(Envelope request, Envelope.Builder body, Throwable failure) {
    if (failure != null) {
      Throwable cause = ErrorCodes.unwrap(failure);
      if (!(cause instanceof KvStoreException)) {
        transport.logged(() -> {
          log.warn("handler failed on {} request #{} from node {}", Envelopes.kind(request), request.getRequestId(),
              request.getSender(), cause);
        });
      }
      return transport.stamper().failure(request, cause);
    }
    Envelope reply = transport.stamper().reply(request, body);
    if (reply.getSerializedSize() > transport.maxFrameBytes()) {
      return transport.stamper().error(request, Error.newBuilder().setCode(ErrorCode.BAD_REQUEST)
          .setMessage("the " + Envelopes.kind(reply) + " reply is " + reply.getSerializedSize()
              + " bytes, over the maximum frame size of " + transport.maxFrameBytes() + " bytes").build());
    }
    return reply;
  }

  private static String describe(Channel channel) {
    String node = channel.attr(ServerHandshakeHandler.REMOTE_NODE).get();
    return channel.remoteAddress() + (node == null ? "" : " (node " + node + ")");
  }
}
