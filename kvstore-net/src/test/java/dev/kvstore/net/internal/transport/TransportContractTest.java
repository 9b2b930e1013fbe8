package dev.kvstore.net.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.ReadReply;
import dev.kvstore.net.internal.testing.RecordingMdc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * The behaviour every {@link Transport} must have, run against Netty and against the simulation. Subclasses
 * create started transports that know each other and say how to wait for a future.
 */
@Timeout(60)
public abstract class TransportContractTest {
  /** A timeout long enough for any reply on a healthy transport. */
  protected static final Duration LONG = Duration.ofSeconds(10);

  /** Creates, installs {@code handler} on, and starts the transport of {@code node}; it knows all earlier ones. */
  protected abstract Transport start(String node, RequestHandler handler);

  /** Creates a started transport that serves nothing. */
  protected Transport start(String node) {
    return start(node, request -> new CompletableFuture<>());
  }

  /** Waits until {@code future} is done (driving a simulation) and returns its value, like {@code join()}. */
  protected abstract <T> T await(CompletableFuture<T> future);

  /** A request timeout short enough for tests that wait for it. */
  protected abstract Duration shortTimeout();

  protected static Envelope.Builder read(String key) {
    return Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8(key)));
  }

  protected static CompletableFuture<Envelope.Builder> echo(Envelope request) {
    return CompletableFuture.completedFuture(
        Envelope.newBuilder().setReadReply(ReadReply.newBuilder().setSiblings(request.getRead().getKey())));
  }

  protected static String siblings(Envelope reply) {
    return reply.getReadReply().getSiblings().toString(StandardCharsets.UTF_8);
  }

  protected Throwable failureOf(CompletableFuture<?> future) {
    assertThatThrownBy(() -> await(future)).isInstanceOf(CompletionException.class);
    return future.handle((value, failure) -> ErrorCodes.unwrap(failure)).join();
  }

  @Test
  void requestGetsTheHandlersReplyStampedByThePeer() {
    AtomicReference<Envelope> seen = new AtomicReference<>();
    start("b", request -> {
      seen.set(request);
      return echo(request);
    });
    Transport a = start("a");

    Envelope reply = await(a.request("b", read("k1"), LONG));

    assertThat(siblings(reply)).isEqualTo("k1");
    assertThat(reply.getSender()).isEqualTo("b");
    assertThat(reply.getIsReply()).isTrue();
    assertThat(reply.getProtocolVersion()).isEqualTo(Envelopes.PROTOCOL_VERSION);
    assertThat(reply.getRequestId()).isEqualTo(seen.get().getRequestId());
    assertThat(seen.get().getSender()).isEqualTo("a");
    assertThat(seen.get().getIsReply()).isFalse();
    assertThat(seen.get().getClusterId()).isEqualTo(reply.getClusterId()).isNotEmpty();
  }

  @Test
  void callersBuilderIsNotModified() {
    start("b", TransportContractTest::echo);
    Transport a = start("a");
    Envelope.Builder body = read("k");

    await(a.request("b", body, LONG));

    assertThat(body.getRequestId()).isZero();
    assertThat(body.getSender()).isEmpty();
    assertThat(body.getLamport()).isZero();
  }

  @Test
  void failedHandlerFutureBecomesTheMappedExceptionAtTheRequester() {
    start("b", request -> CompletableFuture.failedFuture(new InsufficientReplicasException("put", 1, 2)));
    Transport a = start("a");

    Throwable failure = failureOf(a.request("b", read("k"), LONG));

    assertThat(failure).isInstanceOf(InsufficientReplicasException.class);
    assertThat(((InsufficientReplicasException) failure).answered()).isEqualTo(1);
    assertThat(((InsufficientReplicasException) failure).required()).isEqualTo(2);
  }

  @Test
  void throwingHandlerBecomesTheMappedExceptionAtTheRequester() {
    start("b", request -> {
      throw new InvalidRequestException("key must not be empty");
    });
    Transport a = start("a");

    assertThat(failureOf(a.request("b", read("k"), LONG)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("key must not be empty")
        .hasMessageContaining("node b");
  }

  @Test
  void unexpectedHandlerFailureArrivesAsUnknownWithItsMessage() {
    start("b", request -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
    Transport a = start("a");

    Throwable failure = failureOf(a.request("b", read("k"), LONG));

    assertThat(failure).isExactlyInstanceOf(PeerException.class).hasMessageContaining("boom");
    assertThat(((PeerException) failure).code()).isEqualTo(ErrorCode.UNKNOWN);
  }

  @Test
  void handlerReplyingWithAnErrorBodyFailsTheRequest() {
    start("b", request -> CompletableFuture.completedFuture(Envelope.newBuilder()
        .setError(Error.newBuilder().setCode(ErrorCode.OVERLOADED).setMessage("queue full"))));
    Transport a = start("a");

    Throwable failure = failureOf(a.request("b", read("k"), LONG));

    assertThat(failure).isInstanceOf(dev.kvstore.core.OverloadedException.class).hasMessageContaining("queue full");
    assertThat(((dev.kvstore.core.OverloadedException) failure).isRetryable()).isTrue();
  }

  @Test
  void handlerReturningNoBodyOrNullFailsTheRequestAsUnknown() {
    start("b", request -> request.getRead().getKey().toStringUtf8().equals("null")
        ? null : CompletableFuture.completedFuture(Envelope.newBuilder()));
    Transport a = start("a");

    assertThat(failureOf(a.request("b", read("empty"), LONG))).isInstanceOf(PeerException.class)
        .hasMessageContaining("no valid reply body");
    assertThat(failureOf(a.request("b", read("null"), LONG))).isInstanceOf(PeerException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void requestTimesOutWhenTheHandlerNeverReplies() {
    start("b");
    Transport a = start("a");

    assertThat(failureOf(a.request("b", read("k"), shortTimeout())))
        .isInstanceOf(PeerTimeoutException.class).hasMessageContaining("node b");
  }

  @Test
  void unknownPeerFailsWithPeerUnavailable() {
    Transport a = start("a");

    assertThat(failureOf(a.request("nobody", read("k"), LONG)))
        .isInstanceOf(PeerUnavailableException.class).hasMessageContaining("nobody");
  }

  @Test
  void hundredConcurrentRequestsGetTheirOwnRepliesEvenWhenAnsweredInReverse() {
    List<Envelope> arrived = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Envelope.Builder>> answers = Collections.synchronizedList(new ArrayList<>());
    start("b", request -> {
      CompletableFuture<Envelope.Builder> answer = new CompletableFuture<>();
      List<CompletableFuture<Envelope.Builder>> all = null;
      synchronized (answers) {
        arrived.add(request);
        answers.add(answer);
        if (answers.size() == 100) {
          all = new ArrayList<>(answers);
        }
      }
      if (all != null) {
        for (int i = 99; i >= 0; i--) {
          all.get(i).complete(echo(arrived.get(i)).join());
        }
      }
      return answer;
    });
    Transport a = start("a");

    List<CompletableFuture<Envelope>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      replies.add(a.request("b", read("key-" + i), LONG));
    }

    for (int i = 0; i < 100; i++) {
      assertThat(siblings(await(replies.get(i)))).isEqualTo("key-" + i);
    }
  }

  @Test
  void lamportTimesFollowTheMessages() {
    AtomicReference<Envelope> request = new AtomicReference<>();
    AtomicReference<Long> receiverClockInHandler = new AtomicReference<>();
    Transport[] b = new Transport[1];
    b[0] = start("b", r -> {
      request.set(r);
      receiverClockInHandler.set(b[0].lamport().current());
      return echo(r);
    });
    Transport a = start("a");
    for (int i = 0; i < 5; i++) {
      a.lamport().tick();
    }
    long senderBefore = a.lamport().current();

    Envelope reply = await(a.request("b", read("k"), LONG));

    assertThat(request.get().getLamport()).isGreaterThan(senderBefore);
    assertThat(receiverClockInHandler.get()).isGreaterThan(request.get().getLamport());
    assertThat(reply.getLamport()).isGreaterThan(request.get().getLamport());
    assertThat(b[0].lamport().current()).isGreaterThanOrEqualTo(reply.getLamport());
    assertThat(a.lamport().current()).isGreaterThan(reply.getLamport());
  }

  @Test
  void handlerRunsWithNodeAndLamportInTheMdc() {
    RecordingMdc.install();
    AtomicReference<String> node = new AtomicReference<>();
    AtomicReference<String> lamport = new AtomicReference<>();
    AtomicReference<Envelope> request = new AtomicReference<>();
    start("b", r -> {
      node.set(MDC.get(LogContext.NODE));
      lamport.set(MDC.get(LogContext.LAMPORT));
      request.set(r);
      return echo(r);
    });
    Transport a = start("a");

    await(a.request("b", read("k"), LONG));

    assertThat(node.get()).isEqualTo("b");
    assertThat(Long.parseLong(lamport.get())).isGreaterThan(request.get().getLamport());
  }

  @Test
  void closeFailsOutstandingRequestsAndLaterOnes() {
    start("b");
    Transport a = start("a");
    CompletableFuture<Envelope> outstanding = a.request("b", read("k"), LONG);

    a.close();
    a.close();

    assertThat(failureOf(outstanding)).isInstanceOf(PeerUnavailableException.class);
    assertThat(failureOf(a.request("b", read("k"), LONG))).isInstanceOf(PeerUnavailableException.class);
  }

  @Test
  void requestsToAClosedPeerFail() {
    Transport b = start("b", TransportContractTest::echo);
    Transport a = start("a");
    await(a.request("b", read("k"), LONG));

    b.close();

    assertThat(failureOf(a.request("b", read("k"), LONG))).isInstanceOf(PeerUnavailableException.class);
  }

  @Test
  void invalidArgumentsAreRejectedAtOnce() {
    Transport a = start("a");

    assertThatThrownBy(() -> a.request("b", Envelope.newBuilder(), LONG))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body");
    assertThatThrownBy(() -> a.request("b", Envelope.newBuilder().setError(Error.getDefaultInstance()), LONG))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.request("b", read("k"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> a.request(null, read("k"), LONG)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> a.serve(TransportContractTest::echo)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(a::start).isInstanceOf(IllegalStateException.class);
  }
}
