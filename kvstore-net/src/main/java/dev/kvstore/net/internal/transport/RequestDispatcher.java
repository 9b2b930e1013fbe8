package dev.kvstore.net.internal.transport;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection a peer opened: observes each request's Lamport time, runs the request
 * handler on the transport's executor (never on the event loop) and writes the stamped reply back from
 * whichever thread completes it. The requests of one read from the socket go to the executor as one task
 * (up to {@value #MAX_TASK_REQUESTS} each), so a burst costs one thread hand-off, not one per request. A full executor answers OVERLOADED. While the
 * channel is not writable (the peer does not read its replies) it stops reading requests. Any error
 * (undecodable or oversized frame, a reply or handshake where a request belongs) is logged with the remote
 * address and closes this connection only.
 *
 * <p>One instance per channel; its batch is confined to the channel's event loop.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<Envelope> {
  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  /** A request and the Lamport time of its receipt. */
  private record Received(Envelope request, long lamport) {}

  // A task serves its requests one after another, and a read may wait for the disk: a long burst is split so
  // the executor's other threads share it.
  private static final int MAX_TASK_REQUESTS = 8;

  private final NettyTransport transport;
  private List<Received> batch = new ArrayList<>();

  RequestDispatcher(NettyTransport transport) {
    super(Envelope.class);
    this.transport = transport;
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
    batch.add(new Received(request, now));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!batch.isEmpty()) {
      List<Received> all = batch;
      batch = new ArrayList<>();
      for (int from = 0; from < all.size(); from += MAX_TASK_REQUESTS) {
        submit(ctx.channel(), all.subList(from, Math.min(all.size(), from + MAX_TASK_REQUESTS)));
      }
    }
    ctx.fireChannelReadComplete();
  }

  private void submit(Channel channel, List<Received> work) {
    try {
      transport.executor().execute(() -> {
        for (Received r : work) {
          try {
            serve(channel, r.request(), r.lamport());
          } catch (RuntimeException e) {
            transport.logged(() -> log.error("serving {} request #{} failed", Envelopes.kind(r.request()),
                r.request().getRequestId(), e));
          }
        }
      });
    } catch (RejectedExecutionException e) {
      for (Received r : work) {
        channel.write(transport.stamper().failure(r.request(), e));
      }
      channel.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    transport.logged(() -> {
      log.warn("closing connection from {}: {}", describe(ctx.channel()), cause.toString());
    });
    ctx.close();
  }

  private void serve(Channel channel, Envelope request, long now) {
    RequestInvoker.invoke(transport.handler(), request, transport.localNode(), now)
        .whenComplete((body, failure) -> channel.writeAndFlush(reply(request, body, failure)));
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
