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
 * Serializes an {@link Envelope} into a buffer of exactly its size; the frame encoder in front adds the
 * length. An envelope over the maximum frame size fails its write with {@link EncoderException} rather than
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
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Envelope msg, ByteBuf out) throws Exception {
    int size = msg.getSerializedSize();
    CodedOutputStream stream = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), size));
    msg.writeTo(stream);
    stream.flush();
    out.writerIndex(out.writerIndex() + size);
  }
}
