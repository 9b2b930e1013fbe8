package dev.kvstore.net.internal.netty;

import com.google.protobuf.CodedOutputStream;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.Envelopes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Frames and serializes an {@link Envelope}: the 4-byte big-endian length ({@link PeerCodec#LENGTH_BYTES}), then
 * the envelope, in one buffer of exactly that size (one allocation and one entry of the socket write per message,
 * where a separate length encoder took two). An envelope over the maximum frame size fails its write with {@link EncoderException} rather than
 * making the peer drop the connection.
 *
 * <p>Stateless apart from its immutable limit, so {@link Sharable} and thread-safe.
 */
@Sharable
final class EnvelopeEncoder extends MessageToByteEncoder<Envelope> {
  private final int maxFrameBytes;

  EnvelopeEncoder(int maxFrameBytes) {
    super(Envelope.class);
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Envelope msg, boolean preferDirect) {
    int size = msg.getSerializedSize();
    if (size > maxFrameBytes) {
      throw new EncoderException("a " + Envelopes.kind(msg) + " envelope of " + size
          + " bytes is over the maximum frame size of " + maxFrameBytes + " bytes");
    }
    int frame = PeerCodec.LENGTH_BYTES + size;
    return preferDirect ? ctx.alloc().ioBuffer(frame) : ctx.alloc().heapBuffer(frame);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Envelope msg, ByteBuf out) throws Exception {
    int size = msg.getSerializedSize();
    out.writeInt(size);
    CodedOutputStream stream = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), size));
    msg.writeTo(stream);
    stream.flush();
    out.writerIndex(out.writerIndex() + size);
  }
}
