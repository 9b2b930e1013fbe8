package dev.kvstore.net.internal.netty;

import io.netty.channel.ChannelPipeline;

/**
 * The framing of peer connections, in the order bytes flow: a 4-byte big-endian length, then one serialized
 * envelope of at most {@code maxFrameBytes} bytes. Netty's varint protobuf frame decoder has no size limit, hence
 * {@link PeerFrameDecoder} (a {@code LengthFieldBasedFrameDecoder} that stops at the first bad frame). Flushes are
 * batched by the handlers that write ({@link FlushBatcher}: one per event-loop pass), not by a pipeline handler.
 * Stateless and thread-safe.
 */
final class PeerCodec {
  /** Size of the length prefix. */
  static final int LENGTH_BYTES = 4;

  private PeerCodec() {}

  /**
   * Adds the frame decoder, envelope decoder and the encoder (length and envelope in one buffer) to the end of
   * {@code pipeline}.
   *
   * @param pipeline a new channel's pipeline
   * @param maxFrameBytes the largest envelope accepted or sent, in bytes (the length prefix not included)
   */
  static void addTo(ChannelPipeline pipeline, int maxFrameBytes) {
    pipeline.addLast("frameDecoder", new PeerFrameDecoder(maxFrameBytes));
    pipeline.addLast("envelopeDecoder", EnvelopeDecoder.INSTANCE);
    pipeline.addLast("envelopeEncoder", new EnvelopeEncoder(maxFrameBytes));
  }
}
