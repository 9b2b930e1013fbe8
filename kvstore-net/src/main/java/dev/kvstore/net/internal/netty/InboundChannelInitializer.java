package dev.kvstore.net.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of a connection a peer opened to us, in the order bytes flow: with TLS on, the {@code SslHandler}
 * and its {@link TlsGate} first (a peer without a valid certificate is refused before a byte reaches the
 * decoders); then frame decoder, envelope decoder, frame encoder, envelope encoder, handshake (removed once
 * accepted), request dispatcher.
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
    ChannelPipeline pipeline = transport.openPipeline(ch, null);
    pipeline.addLast("handshake", new ServerHandshakeHandler(transport));
    pipeline.addLast("dispatcher", new RequestDispatcher(transport));
  }
}
