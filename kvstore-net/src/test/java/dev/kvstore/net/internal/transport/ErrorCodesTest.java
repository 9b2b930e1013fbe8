package dev.kvstore.net.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.StoreLockedException;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Exceptions travel as wire error codes and come back as the exception a caller can act on. */
@Timeout(10)
class ErrorCodesTest {

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(new InvalidRequestException("bad key"), ErrorCode.BAD_REQUEST, InvalidRequestException.class),
        Arguments.of(new IllegalArgumentException("bad n"), ErrorCode.BAD_REQUEST, InvalidRequestException.class),
        Arguments.of(new StoreClosedException("closed"), ErrorCode.UNAVAILABLE, PeerUnavailableException.class),
        Arguments.of(new PeerUnavailableException("gone"), ErrorCode.UNAVAILABLE, PeerUnavailableException.class),
        Arguments.of(new dev.kvstore.core.NotWritableException("log failed", new StorageException("disk full")),
            ErrorCode.UNAVAILABLE, PeerUnavailableException.class),
        Arguments.of(new dev.kvstore.core.NodeUnavailableException("n2", "down"), ErrorCode.UNAVAILABLE,
            PeerUnavailableException.class),
        Arguments.of(new dev.kvstore.core.OutcomeUnknownException("n2", "no reply", false, null), ErrorCode.TIMEOUT,
            PeerTimeoutException.class),
        Arguments.of(new StorageException("disk"), ErrorCode.STORAGE, StorageException.class),
        Arguments.of(new CorruptLogException(Path.of("00001.wal"), 17, "crc"), ErrorCode.STORAGE,
            StorageException.class),
        Arguments.of(new StoreLockedException("locked"), ErrorCode.STORAGE, StorageException.class),
        Arguments.of(new PeerTimeoutException("slow"), ErrorCode.TIMEOUT, PeerTimeoutException.class),
        Arguments.of(new RejectedExecutionException("full"), ErrorCode.OVERLOADED,
            dev.kvstore.core.OverloadedException.class),
        Arguments.of(new dev.kvstore.core.OverloadedException("log full"), ErrorCode.OVERLOADED,
            dev.kvstore.core.OverloadedException.class),
        Arguments.of(new PeerException(ErrorCode.WRONG_CLUSTER, "x"), ErrorCode.WRONG_CLUSTER, PeerException.class),
        Arguments.of(new IllegalStateException("bug"), ErrorCode.UNKNOWN, PeerException.class));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void failureMapsToItsCodeAndBackToAnActionableException(Throwable failure, ErrorCode code,
      Class<? extends KvStoreException> raised) {
    Error error = ErrorCodes.toError(failure);

    assertThat(error.getCode()).isEqualTo(code);
    assertThat(error.getMessage()).contains(failure.getMessage());
    KvStoreException back = ErrorCodes.toException(error, "b");
    assertThat(back).isInstanceOf(raised);
    if (back instanceof PeerException peer) {
      assertThat(peer.code()).isEqualTo(code);
    }
  }

  @Test
  void peerFailuresBecomePublicExceptionsThatSayWhetherTheRequestMayHaveRun() {
    Throwable refused = ErrorCodes.toPublic(
        ErrorCodes.toException(ErrorCodes.toError(new StoreClosedException("stopping")), "n2"), false, "n0");
    assertThat(refused).isExactlyInstanceOf(dev.kvstore.core.NodeUnavailableException.class)
        .hasMessageContaining("n2").hasMessageContaining("not applied");
    assertThat(((dev.kvstore.core.NodeFailureException) refused).node()).isEqualTo("n2");
    assertThat(((dev.kvstore.core.NodeFailureException) refused).isRetrySafe()).isTrue();

    Throwable lost = ErrorCodes.toPublic(new CompletionException(
        new PeerUnavailableException("connection to node n3 closed", "n3", true, null)), false, "n0");
    assertThat(lost).isExactlyInstanceOf(dev.kvstore.core.OutcomeUnknownException.class);
    assertThat(((dev.kvstore.core.NodeFailureException) lost).node()).isEqualTo("n3");
    assertThat(((dev.kvstore.core.NodeFailureException) lost).isRetrySafe()).as("a write").isFalse();

    Throwable unsent = ErrorCodes.toPublic(
        new PeerUnavailableException("connection to node n3 closed", "n3", true, null).asNotSent(), false, "n0");
    assertThat(unsent).isExactlyInstanceOf(dev.kvstore.core.NodeUnavailableException.class);

    Throwable slowRead = ErrorCodes.toPublic(new PeerTimeoutException("no reply from node n1", "n1"), true, "n0");
    assertThat(slowRead).isExactlyInstanceOf(dev.kvstore.core.OutcomeUnknownException.class);
    assertThat(((dev.kvstore.core.NodeFailureException) slowRead).isRetrySafe()).as("a read").isTrue();

    assertThat(ErrorCodes.toPublic(new PeerException(ErrorCode.WRONG_CLUSTER, "other cluster", "n1", null), false, "n0"))
        .isExactlyInstanceOf(dev.kvstore.core.NodeUnavailableException.class);
    assertThat(ErrorCodes.toPublic(new PeerException(ErrorCode.UNKNOWN, "bug", "n1", null), false, "n0"))
        .isExactlyInstanceOf(dev.kvstore.core.OutcomeUnknownException.class);
    StorageException other = new StorageException("disk");
    assertThat(ErrorCodes.toPublic(other, false, "n0")).as("a public failure: unchanged").isSameAs(other);

    Throwable closed = ErrorCodes.toPublic(new PeerUnavailableException("transport closed"), true, "n0");
    assertThat(((dev.kvstore.core.NodeFailureException) closed).node()).as("no peer named: the node given")
        .isEqualTo("n0");
    Throwable bug = ErrorCodes.toPublic(new CompletionException(new IllegalStateException("bug")), false, "n0");
    assertThat(bug).as("an unexpected failure may have run").isExactlyInstanceOf(
        dev.kvstore.core.OutcomeUnknownException.class).hasMessageContaining("n0").hasCauseInstanceOf(
        IllegalStateException.class);
    assertThat(((dev.kvstore.core.NodeFailureException) bug).node()).isEqualTo("n0");
    assertThat(((dev.kvstore.core.NodeFailureException) bug).isRetrySafe()).as("a write").isFalse();
  }

  @Test
  void insufficientReplicasKeepsItsCounts() {
    Error error = ErrorCodes.toError(new InsufficientReplicasException("put", 1, 3));

    InsufficientReplicasException back = (InsufficientReplicasException) ErrorCodes.toException(error, "b");

    assertThat(back.answered()).isEqualTo(1);
    assertThat(back.required()).isEqualTo(3);
    assertThat(back).hasMessageContaining("node b");
  }

  @Test
  void wrappersAreLookedThrough() {
    Throwable wrapped = new CompletionException(new ExecutionException(new InvalidRequestException("deep")));

    assertThat(ErrorCodes.toError(wrapped).getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void unexpectedFailureNamesItsClass() {
    assertThat(ErrorCodes.toError(new NullPointerException("x")).getMessage())
        .isEqualTo("java.lang.NullPointerException: x");
  }

  @Test
  void codeFromANewerPeerBecomesUnknown() {
    Error error = Error.newBuilder().setCodeValue(99).setMessage("future").build();

    KvStoreException back = ErrorCodes.toException(error, "b");

    assertThat(back).isExactlyInstanceOf(PeerException.class).hasMessageContaining("99")
        .hasMessageContaining("future");
    assertThat(((PeerException) back).code()).isEqualTo(ErrorCode.UNKNOWN);
  }

  @ParameterizedTest
  @EnumSource(value = ErrorCode.class, mode = EnumSource.Mode.EXCLUDE, names = "UNRECOGNIZED")
  void everyCodeMapsToAnExceptionNamingThePeerAndTheMessage(ErrorCode code) {
    Error error = Error.newBuilder().setCode(code).setMessage("why").setAnswered(1).setRequired(2).build();

    KvStoreException back = ErrorCodes.toException(error, "peer-7");

    assertThat(back.getMessage()).contains("peer-7");
    if (code != ErrorCode.INSUFFICIENT_REPLICAS) {
      assertThat(back.getMessage()).contains("why");
    }
  }

  @org.junit.jupiter.api.Test
  void anInsufficientReplicasErrorCarriesTheFirstFailureAcrossTheWire() {
    Error error = ErrorCodes.toError(new dev.kvstore.core.InsufficientReplicasException("put", 1, 2,
        "OverloadedException: write-ahead log full"));
    KvStoreException back = ErrorCodes.toException(error, "n2");
    assertThat(back).isInstanceOf(dev.kvstore.core.InsufficientReplicasException.class);
    dev.kvstore.core.InsufficientReplicasException e = (dev.kvstore.core.InsufficientReplicasException) back;
    assertThat(e.firstFailure()).isEqualTo("OverloadedException: write-ahead log full");
    assertThat(e.answered()).isEqualTo(1);
    assertThat(e.required()).isEqualTo(2);
    assertThat(((dev.kvstore.core.InsufficientReplicasException) ErrorCodes.toException(
        ErrorCodes.toError(new dev.kvstore.core.InsufficientReplicasException("put", 0, 2)), "n2")).firstFailure())
        .as("none when the replicas were silent").isNull();
  }
}
