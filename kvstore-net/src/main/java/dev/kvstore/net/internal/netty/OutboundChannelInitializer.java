package dev.kvstore.net.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of our connection to a peer, in the order bytes flow: frame decoder, envelope decoder, frame
 * encoder, envelope encoder, handshake (removed once acknowledged), reply handler.
 *
 * <p>Thread-safe ({@link io.netty.channel.ChannelHandler.Sharable} like every {@link ChannelInitializer}).
 */
final class OutboundChannelInitializer extends ChannelInitializer<Channel> {
  private final NettyTransport transport;
  private final PeerConnection connection;

  OutboundChannelInitializer(NettyTransport transport, PeerConnection connection) {
    this.transport = transport;
    this.connection = connection;
  }

  @Override
  protected void initChannel(Channel ch) {
    transport.register(ch);
    ChannelPipeline pipeline = ch.pipeline();
    PeerCodec.addTo(pipeline, transport.maxFrameBytes());
    pipeline.addLast("handshake", new ClientHandshakeHandler(transport, connection));
    pipeline.addLast("replies", new ReplyHandler(transport, connection));
  }
}
