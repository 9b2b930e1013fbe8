package dev.kvstore.net.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Cuts a peer connection's bytes into frames (a 4-byte big-endian length, then at most {@code maxFrameBytes}) and
 * stops at the first bad one: once a frame is too long, or the envelope decoder found one that is not an envelope
 * ({@link #stop}), every later byte is discarded unread while the connection closes. Without the stop, the frames
 * after a bad one in the same read would each be decoded and each cost an exception and a warning: a peer could
 * turn one packet of 5-byte garbage frames into thousands of log lines (found by {@code PeerFrameFuzzTest}).
 *
 * <p>One instance per channel, event-loop confined.
 */
final class PeerFrameDecoder extends LengthFieldBasedFrameDecoder {
  private boolean stopped; // event-loop confined

  PeerFrameDecoder(int maxFrameBytes) {
    super(maxFrameBytes + PeerCodec.LENGTH_BYTES, 0, PeerCodec.LENGTH_BYTES, 0, PeerCodec.LENGTH_BYTES);
  }

  /** Discards every byte from now on: the connection is being closed for a bad frame. */
  void stop() {
    stopped = true;
  }

  @Override
  protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
    if (stopped) {
      in.skipBytes(in.readableBytes());
      return null;
    }
    try {
      return super.decode(ctx, in);
    } catch (TooLongFrameException e) {
      stop();
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }
}
