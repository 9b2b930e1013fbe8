package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import dev.kvstore.clock.ClockEncodingException;
import dev.kvstore.clock.testing.FuzzCorpus;
import dev.kvstore.clock.testing.FuzzInput;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Forward;
import dev.kvstore.net.internal.proto.ForwardReply;
import dev.kvstore.net.internal.proto.Handshake;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.status.StatusMessages;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.ErrorCodes;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz target: what a peer connection does with the bytes it reads, up to the request handler: the frame decoder
 * and envelope decoder of {@link PeerCodec} on an {@link EmbeddedChannel} (bytes fed in pieces), then the checks
 * and body decoders a node and a client run on an envelope (its kind, sibling sets, contexts, forward replies,
 * error replies, status replies). Documented failures: Netty's {@link DecoderException} (a corrupt or oversized
 * frame: the connection closes), {@link KvStoreException} (a malformed body: an error reply) and {@link
 * ClockEncodingException} (a malformed sibling set, mapped to an error reply by the handler).
 *
 * <p>The first input byte chooses the frame limit (bit 0: 256 bytes or the default 16 MiB) and the size of the
 * pieces (the other bits, 1 to 128 bytes); the rest is what the socket delivers. See docs/security.md, "Fuzzing";
 * the corpus is in {@code PeerFrameFuzzTestInputs/frames}.
 */
@ExtendWith(NettyLeakDetection.class)
class PeerFrameFuzzTest {
  private static final int SMALL_FRAME = 256;
  private static final int DEFAULT_FRAME = 16 << 20;

  @FuzzTest(maxDuration = "6s")
  void frames(byte[] input) {
    FuzzInput.check(input, () -> read(input), DecoderException.class, KvStoreException.class,
        ClockEncodingException.class);
  }

  @Test
  void seedsAreValidFramesInTheCorpus() throws IOException {
    FuzzCorpus.verify(PeerFrameFuzzTest.class, "frames", validInputs(),
        in -> FuzzInput.check(in, () -> assertThat(read(in)).isNotEmpty(), DecoderException.class,
            KvStoreException.class, ClockEncodingException.class));
  }

  /**
   * Feeds the bytes after the first to a codec channel and checks every envelope that comes out. The pipeline ends
   * with a handler that records errors, as the node's handlers do (they log and close); a connection must raise at
   * most one error, which is then thrown.
   */
  private static List<Envelope> read(byte[] input) {
    if (input.length == 0) {
      return List.of();
    }
    EmbeddedChannel channel = new EmbeddedChannel();
    PeerCodec.addTo(channel.pipeline(), (input[0] & 1) == 0 ? SMALL_FRAME : DEFAULT_FRAME);
    List<Throwable> errors = new ArrayList<>();
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.add(cause);
      }
    });
    int piece = 1 + ((input[0] & 0xff) >>> 1);
    List<Envelope> envelopes = new ArrayList<>();
    try {
      for (int at = 1; at < input.length; at += piece) {
        channel.writeInbound(Unpooled.copiedBuffer(input, at, Math.min(piece, input.length - at)));
        for (Envelope e; (e = channel.readInbound()) != null; ) {
          envelopes.add(e);
          check(e);
        }
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    if (errors.size() > 1) {
      throw new AssertionError("one connection raised " + errors.size() + " errors, the first: " + errors.get(0)
          + ", the second: " + errors.get(1));
    }
    if (!errors.isEmpty() && errors.get(0) instanceof RuntimeException first) {
      throw first;
    }
    if (!errors.isEmpty()) {
      throw new AssertionError("undocumented error", errors.get(0));
    }
    return envelopes;
  }

  /** What a node or client makes of an envelope's body once it is parsed. */
  private static void check(Envelope e) {
    Envelopes.isReserved(e.getBodyCase());
    Envelopes.kind(e);
    switch (e.getBodyCase()) {
      case REPLICATE -> decodeSiblings(e.getReplicate().getSiblings());
      case HINT -> decodeSiblings(e.getHint().getSiblings());
      case READ_REPLY -> decodeSiblings(e.getReadReply().getSiblings());
      case FORWARD -> {
        if (e.getForward().getHasContext()) {
          Context.fromBytes(e.getForward().getContext().toByteArray());
        }
      }
      case FORWARD_REPLY -> ClientRequests.versions(new byte[] {1}, e, null);
      case ERROR -> ErrorCodes.toException(e.getError(), e.getSender());
      case STATUS_REPLY -> StatusMessages.fromReply(e);
      default -> { }
    }
  }

  private static void decodeSiblings(ByteString siblings) {
    if (!siblings.isEmpty()) {
      SiblingCodec.decode(siblings.toByteArray());
    }
  }

  /** Valid byte streams (a first byte, then frames), written to the corpus by the test above. */
  static List<byte[]> validInputs() {
    Envelope handshake = stamped().setRequestId(Envelopes.HANDSHAKE_REQUEST_ID).setHandshake(Handshake.newBuilder()
        .setClusterId("c").setNodeId("a").setProtocolVersion(Envelopes.PROTOCOL_VERSION)).build();
    Envelope read = stamped().setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8("k"))).build();
    Envelope replicate = stamped().setReplicate(Replicate.newBuilder().setKey(ByteString.copyFromUtf8("k"))
        .setSiblings(ByteString.copyFrom(SiblingCodec.encode(dev.kvstore.clock.DvvSet.empty())))).build();
    Envelope forward = stamped().setForward(Forward.newBuilder().setKey(ByteString.copyFromUtf8("k"))
        .setValue(ByteString.copyFromUtf8("v")).setHasContext(true)
        .setContext(ByteString.copyFrom(Context.empty().toBytes()))).build();
    Envelope reply = stamped().setIsReply(true).setForwardReply(ForwardReply.newBuilder()
        .setContext(ByteString.copyFrom(Context.empty().toBytes()))).build();
    Envelope error = stamped().setIsReply(true).setError(Error.newBuilder().setCode(ErrorCode.OVERLOADED)
        .setMessage("busy")).build();
    return List.of(
        stream(0, handshake),
        stream(1, read, replicate),
        stream(7 << 1, forward, reply, error),
        stream((3 << 1) | 1, handshake, read, replicate, forward, reply, error));
  }

  private static Envelope.Builder stamped() {
    return Envelope.newBuilder().setRequestId(1).setSender("a").setClusterId("c").setLamport(5)
        .setProtocolVersion(Envelopes.PROTOCOL_VERSION);
  }

  private static byte[] stream(int first, Envelope... envelopes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    for (Envelope e : envelopes) {
      byte[] payload = e.toByteArray();
      out.writeBytes(ByteBuffer.allocate(PeerCodec.LENGTH_BYTES + payload.length).putInt(payload.length)
          .put(payload).array());
    }
    return out.toByteArray();
  }
}
