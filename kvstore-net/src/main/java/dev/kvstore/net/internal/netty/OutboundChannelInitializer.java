package dev.kvstore.net.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of our connection to a peer, in the order bytes flow: with TLS on, the {@code SslHandler} and its
 * {@link TlsGate} first; then frame decoder, envelope decoder, frame encoder, envelope encoder, handshake (removed
 * once acknowledged), reply handler. The handshake message waits in the {@code SslHandler} until TLS is up.
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
    ChannelPipeline pipeline = transport.openPipeline(ch, connection);
    pipeline.addLast("handshake", new ClientHandshakeHandler(transport, connection));
    pipeline.addLast("replies", new ReplyHandler(transport, connection));
  }
}
