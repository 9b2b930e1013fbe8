package dev.kvstore.net.internal.netty;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kvstore.net.internal.proto.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Parses one frame payload (already cut and size-checked by the frame decoder) into an {@link Envelope}. An
 * unparseable payload raises {@link CorruptedFrameException}, which closes the connection, and stops the frame
 * decoder ({@link PeerFrameDecoder#stop}), so the bytes after it are not read. The frame buffer is
 * released by the base class; the envelope copies what it keeps.
 *
 * <p>Stateless, so {@link Sharable} and thread-safe.
 */
@Sharable
final class EnvelopeDecoder extends MessageToMessageDecoder<ByteBuf> {
  static final EnvelopeDecoder INSTANCE = new EnvelopeDecoder();

  private EnvelopeDecoder() {
    super(ByteBuf.class);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    int size = frame.readableBytes();
    try {
      out.add(Envelope.parseFrom(frame.nioBuffer()));
    } catch (InvalidProtocolBufferException e) {
      PeerFrameDecoder frames = ctx.pipeline().get(PeerFrameDecoder.class);
      if (frames != null) {
        frames.stop(); // the frames after this one are not read
      }
      throw new CorruptedFrameException("a frame of " + size + " bytes is not a valid envelope: " + e.getMessage(), e);
    }
  }
}
