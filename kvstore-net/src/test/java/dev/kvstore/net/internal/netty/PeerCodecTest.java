package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The peer framing on {@link EmbeddedChannel}s: 4-byte big-endian length + envelope, with a maximum size. */
@Timeout(30)
@ExtendWith(NettyLeakDetection.class)
class PeerCodecTest {
  private static final int MAX = 1024;
  private final EmbeddedChannel channel = codecChannel();

  @AfterEach
  void finishLeavesNothingBehind() {
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  private static EmbeddedChannel codecChannel() {
    EmbeddedChannel channel = new EmbeddedChannel();
    PeerCodec.addTo(channel.pipeline(), MAX);
    return channel;
  }

  private static Envelope envelope(String key, int lamport) {
    return Envelope.newBuilder().setRequestId(lamport).setSender("a").setClusterId("c").setLamport(lamport)
        .setProtocolVersion(1).setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8(key))).build();
  }

  /** Frames by hand from protobuf's own serialization, independently of the codec under test. */
  private static byte[] frame(Envelope envelope) {
    byte[] payload = envelope.toByteArray();
    return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  private byte[] encode(Envelope envelope) {
    assertThat(channel.writeOutbound(envelope)).isTrue();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
      byte[] chunk = new byte[part.readableBytes()];
      part.readBytes(chunk);
      part.release();
      bytes.writeBytes(chunk);
    }
    return bytes.toByteArray();
  }

  @Test
  void encodesLengthPrefixThenEnvelope() {
    Envelope envelope = envelope("key", 3);

    assertThat(encode(envelope)).isEqualTo(frame(envelope));
  }

  @Test
  void frameFedByteByByteDecodesToTheEnvelope() {
    Envelope envelope = envelope("byte-by-byte", 9);

    for (byte b : frame(envelope)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }

    assertThat((Envelope) channel.readInbound()).isEqualTo(envelope);
    Object next = channel.readInbound();
    assertThat(next).isNull();
  }

  @Test
  void twoFramesInOneBufferDecodeInOrder() {
    byte[] first = frame(envelope("one", 1));
    byte[] second = frame(envelope("two", 2));
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);

    channel.writeInbound(Unpooled.wrappedBuffer(both));

    assertThat((Envelope) channel.readInbound()).isEqualTo(envelope("one", 1));
    assertThat((Envelope) channel.readInbound()).isEqualTo(envelope("two", 2));
  }

  @Test
  void envelopeOfExactlyTheMaximumSizePassesBothWays() {
    Envelope envelope = sized(MAX);

    byte[] bytes = encode(envelope);
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));

    assertThat(envelope.getSerializedSize()).isEqualTo(MAX);
    assertThat((Envelope) channel.readInbound()).isEqualTo(envelope);
  }

  @Test
  void frameOverTheMaximumIsRejectedBeforeItsBytesArrive() {
    ByteBuf header = Unpooled.buffer(4).writeInt(MAX + 1);

    assertThatThrownBy(() -> channel.writeInbound(header)).isInstanceOf(TooLongFrameException.class);
  }

  @Test
  void lengthWithTheHighBitSetIsRejected() {
    ByteBuf header = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThatThrownBy(() -> channel.writeInbound(header)).isInstanceOf(TooLongFrameException.class);
  }

  @Test
  void unparseablePayloadIsACorruptedFrame() {
    ByteBuf garbage = Unpooled.buffer().writeInt(5).writeBytes(new byte[] {(byte) 0xff, 1, 2, 3, 4});

    assertThatThrownBy(() -> channel.writeInbound(garbage)).isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("not a valid envelope");
  }

  @Test
  void aReadOfManyBadFramesRaisesOneErrorAndDecodesNothingAfterTheFirst() {
    List<Throwable> errors = recordErrors();
    ByteBuf burst = Unpooled.buffer();
    for (int i = 0; i < 100; i++) {
      burst.writeInt(1).writeByte(0x63); // a 1-byte frame that is no envelope (a group start)
    }
    burst.writeBytes(frame(envelope("after", 1)));

    channel.writeInbound(burst);
    channel.writeInbound(Unpooled.wrappedBuffer(frame(envelope("next read", 2))));

    assertThat(errors).hasSize(1).first().isInstanceOf(CorruptedFrameException.class);
    Object decoded = channel.readInbound();
    assertThat(decoded).isNull();
  }

  @Test
  void bytesAfterATooLongFrameAreNotDecoded() {
    List<Throwable> errors = recordErrors();
    ByteBuf burst = Unpooled.buffer().writeInt(MAX + 1).writeBytes(new byte[MAX + 1]);
    burst.writeBytes(frame(envelope("after", 1)));

    channel.writeInbound(burst);

    assertThat(errors).hasSize(1).first().isInstanceOf(TooLongFrameException.class);
    Object decoded = channel.readInbound();
    assertThat(decoded).isNull();
  }

  /** Ends the pipeline with a handler that records errors, as the node's handlers do before closing. */
  private List<Throwable> recordErrors() {
    List<Throwable> errors = new ArrayList<>();
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.add(cause);
      }
    });
    return errors;
  }

  @Test
  void envelopeOverTheMaximumIsNotSent() {
    Envelope envelope = sized(MAX + 1);

    assertThatThrownBy(() -> channel.writeOutbound(envelope)).isInstanceOf(EncoderException.class)
        .hasMessageContaining("over the maximum frame size");
    Object next = channel.readOutbound();
    assertThat(next).isNull();
  }

  /** A replicate envelope of exactly {@code size} serialized bytes. */
  private static Envelope sized(int size) {
    for (int pad = size; pad >= 0; pad--) {
      Envelope candidate = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
          .setSiblings(ByteString.copyFrom(new byte[pad]))).build();
      if (candidate.getSerializedSize() == size) {
        return candidate;
      }
    }
    throw new AssertionError("no envelope of " + size + " bytes");
  }
}
