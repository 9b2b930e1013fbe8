package dev.kvstore.net.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of a connection a peer opened to us, in the order bytes flow: frame decoder, envelope decoder,
 * frame encoder, envelope encoder, handshake (removed once accepted), request dispatcher.
 *
 * <p>Thread-safe ({@link io.netty.channel.ChannelHandler.Sharable} like every {@link ChannelInitializer}).
 */
final class InboundChannelInitializer extends ChannelInitializer<Channel> {
  private final NettyTransport transport;

  InboundChannelInitializer(NettyTransport transport) {
    this.transport = transport;
  }

  @Override
  protected void initChannel(Channel ch) {
    transport.register(ch);
    ChannelPipeline pipeline = ch.pipeline();
    PeerCodec.addTo(pipeline, transport.maxFrameBytes());
    pipeline.addLast("handshake", new ServerHandshakeHandler(transport));
    pipeline.addLast("dispatcher", new RequestDispatcher(transport));
  }
}
