package dev.kvstore.net.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.LamportClock;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Read;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every envelope leaving a node carries its identity, the protocol version and a fresh Lamport time. */
@Timeout(10)
class EnvelopeStamperTest {
  private final LamportClock clock = new LamportClock();
  private final EnvelopeStamper stamper = new EnvelopeStamper("a", "cluster-1", clock);
  private final Envelope.Builder read =
      Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8("k")));

  @Test
  void requestIsStampedAndEachSendTicksTheClock() {
    Envelope first = stamper.request(5, read);
    Envelope second = stamper.request(6, read);

    assertThat(first.getRequestId()).isEqualTo(5);
    assertThat(first.getSender()).isEqualTo("a");
    assertThat(first.getClusterId()).isEqualTo("cluster-1");
    assertThat(first.getProtocolVersion()).isEqualTo(1);
    assertThat(first.getIsReply()).isFalse();
    assertThat(first.getLamport()).isEqualTo(1);
    assertThat(second.getLamport()).isEqualTo(2);
    assertThat(clock.current()).isEqualTo(2);
  }

  @Test
  void replyCarriesTheRequestIdAndTheReplyFlag() {
    Envelope request = stamper.request(9, read);

    Envelope reply = stamper.reply(request, Envelope.newBuilder().setReplicateAck(
        dev.kvstore.net.internal.proto.ReplicateAck.getDefaultInstance()));

    assertThat(reply.getRequestId()).isEqualTo(9);
    assertThat(reply.getIsReply()).isTrue();
    assertThat(reply.getLamport()).isGreaterThan(request.getLamport());
  }

  @Test
  void replyWithoutABodyOrWithAHandshakeBecomesAnError() {
    Envelope request = stamper.request(1, read);

    assertThat(stamper.reply(request, Envelope.newBuilder()).getError().getCode()).isEqualTo(ErrorCode.UNKNOWN);
    assertThat(stamper.reply(request, null).getError().getMessage()).contains("null");
    assertThat(stamper.reply(request, stamper.handshake().toBuilder()).hasError()).isTrue();
  }

  @Test
  void handshakeAnnouncesNodeClusterAndVersionWithRequestIdZero() {
    Envelope hello = stamper.handshake();

    assertThat(hello.getRequestId()).isZero();
    assertThat(hello.getHandshake().getNodeId()).isEqualTo("a");
    assertThat(hello.getHandshake().getClusterId()).isEqualTo("cluster-1");
    assertThat(hello.getHandshake().getProtocolVersion()).isEqualTo(Envelopes.PROTOCOL_VERSION);
  }
}
