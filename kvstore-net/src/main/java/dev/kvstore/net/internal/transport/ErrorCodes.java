package dev.kvstore.net.internal.transport;

import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.OverloadedException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.NodeUnavailableException;
import dev.kvstore.core.NotWritableException;
import dev.kvstore.core.OutcomeUnknownException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.StoreLockedException;
import dev.kvstore.net.internal.proto.Error;
import dev.kvstore.net.internal.proto.ErrorCode;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one mapping between exceptions and wire {@link Error} bodies, in both directions.
 *
 * <table>
 *   <caption>Exception to code to exception</caption>
 *   <tr><th>thrown on the serving node</th><th>code</th><th>raised on the requesting node</th></tr>
 *   <tr><td>InvalidRequestException, IllegalArgumentException</td><td>BAD_REQUEST</td>
 *       <td>InvalidRequestException</td></tr>
 *   <tr><td>InsufficientReplicasException</td><td>INSUFFICIENT_REPLICAS (+ answered, required)</td>
 *       <td>InsufficientReplicasException</td></tr>
 *   <tr><td>StoreClosedException, NotWritableException, PeerUnavailableException,
 *       NodeUnavailableException</td><td>UNAVAILABLE</td>
 *       <td>PeerUnavailableException (not sent: the peer refused before doing anything)</td></tr>
 *   <tr><td>StorageException (CorruptLogException), StoreLockedException</td><td>STORAGE</td>
 *       <td>StorageException</td></tr>
 *   <tr><td>PeerTimeoutException, OutcomeUnknownException</td><td>TIMEOUT</td><td>PeerTimeoutException</td></tr>
 *   <tr><td>OverloadedException, RejectedExecutionException</td><td>OVERLOADED</td>
 *       <td>OverloadedException</td></tr>
 *   <tr><td>PeerException(code)</td><td>code</td><td>PeerException(code)</td></tr>
 *   <tr><td>anything else</td><td>UNKNOWN</td><td>PeerException(UNKNOWN)</td></tr>
 * </table>
 *
 * <p>The internal peer exceptions never reach a user: {@link #toPublic} maps them, at the edge of the public
 * API, to {@link NodeUnavailableException} (the request did not execute) or {@link OutcomeUnknownException}
 * (it may have).
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  /**
   * Builds the wire error for a failure on the serving node; {@code CompletionException} and
   * {@code ExecutionException} wrappers are looked through.
   *
   * @param failure what went wrong
   * @return the error body to send back
   * @throws NullPointerException if {@code failure} is null
   */
  public static Error toError(Throwable failure) {
    Throwable t = unwrap(Objects.requireNonNull(failure, "failure"));
    if (t instanceof InsufficientReplicasException e) {
      Error.Builder error = Error.newBuilder().setCode(ErrorCode.INSUFFICIENT_REPLICAS).setMessage(messageOf(e))
          .setAnswered(e.answered()).setRequired(e.required()).addAllMissingReplicas(e.missingReplicas());
      if (e.firstFailure() != null) {
        error.setFirstFailure(e.firstFailure());
      }
      return error.build();
    }
    return Error.newBuilder().setCode(codeOf(t)).setMessage(messageOf(t)).build();
  }

  /**
   * Builds the exception a requester raises for an error reply.
   *
   * @param error the error body received
   * @param peer the node that sent it, named in the message
   * @return the exception to complete the request with
   * @throws NullPointerException if an argument is null
   */
  public static KvStoreException toException(Error error, String peer) {
    Objects.requireNonNull(peer, "peer");
    String message = "node " + peer + " failed the request (" + error.getCode() + "): " + error.getMessage();
    return switch (error.getCode()) {
      case BAD_REQUEST -> new InvalidRequestException(message);
      case INSUFFICIENT_REPLICAS -> new InsufficientReplicasException(
          "an operation coordinated by node " + peer, error.getAnswered(), error.getRequired(),
          error.getFirstFailure().isEmpty() ? null : error.getFirstFailure(), error.getMissingReplicasList());
      case UNAVAILABLE -> PeerUnavailableException.notSent(peer, message);
      case TIMEOUT -> new PeerTimeoutException(message, peer);
      case STORAGE -> new StorageException(message);
      case OVERLOADED -> new OverloadedException(message);
      case WRONG_CLUSTER, WRONG_VERSION, WRONG_PLACEMENT, UNKNOWN ->
          new PeerException(error.getCode(), message, peer, null);
      case UNRECOGNIZED -> new PeerException(ErrorCode.UNKNOWN,
          "node " + peer + " failed the request with an error code this version does not know ("
              + error.getCodeValue() + "): " + error.getMessage(), peer, null);
    };
  }

  /**
   * The exception a user sees for {@code failure}: an internal peer exception becomes a {@link
   * NodeUnavailableException} when the request did not execute on the peer, or an {@link
   * OutcomeUnknownException} when it may have; any other {@link KvStoreException} (and an {@link Error}) is
   * returned unwrapped and unchanged; anything else (an unexpected failure of {@code node}, such as a bug) becomes
   * an {@link OutcomeUnknownException} naming {@code node}, as the operation may have run.
   *
   * @param failure what failed, possibly wrapped in a {@code CompletionException}
   * @param readOnly whether the operation was a read, which a caller may repeat whatever happened
   * @param node the node that ran the operation, named when the failure itself names no peer
   * @return the exception to hand to the user
   * @throws NullPointerException if {@code failure} or {@code node} is null
   */
  public static Throwable toPublic(Throwable failure, boolean readOnly, String node) {
    Objects.requireNonNull(node, "node");
    Throwable t = unwrap(Objects.requireNonNull(failure, "failure"));
    if (t instanceof PeerException p) {
      String peer = p.hasNode() ? p.node() : node;
      return p.mayHaveExecuted() ? outcomeUnknown(peer, p.getMessage(), readOnly, p)
          : new NodeUnavailableException(peer, p.getMessage() + " (not applied; safe to retry)", p);
    }
    if (t instanceof KvStoreException || t instanceof java.lang.Error) {
      return t;
    }
    return outcomeUnknown(node, "node " + node + " failed unexpectedly: " + t, readOnly, t);
  }

  private static OutcomeUnknownException outcomeUnknown(String node, String message, boolean readOnly,
      Throwable cause) {
    return new OutcomeUnknownException(node, message + (readOnly ? " (a read: safe to retry)"
        : " (the write may or may not have been applied)"), readOnly, cause);
  }

  /** Removes {@code CompletionException} / {@code ExecutionException} wrappers that carry a cause. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static ErrorCode codeOf(Throwable t) {
    if (t instanceof PeerException e) {
      return e.code();
    } else if (t instanceof InvalidRequestException || t instanceof IllegalArgumentException) {
      return ErrorCode.BAD_REQUEST;
    } else if (t instanceof StoreClosedException || t instanceof NotWritableException
        || t instanceof NodeUnavailableException) {
      return ErrorCode.UNAVAILABLE;
    } else if (t instanceof OutcomeUnknownException) {
      return ErrorCode.TIMEOUT;
    } else if (t instanceof StorageException || t instanceof StoreLockedException) {
      return ErrorCode.STORAGE;
    } else if (t instanceof OverloadedException || t instanceof RejectedExecutionException) {
      return ErrorCode.OVERLOADED;
    }
    return ErrorCode.UNKNOWN;
  }

  private static String messageOf(Throwable t) {
    String message = t.getMessage() == null ? "" : t.getMessage();
    return t instanceof KvStoreException ? message : t.getClass().getName() + ": " + message;
  }
}
