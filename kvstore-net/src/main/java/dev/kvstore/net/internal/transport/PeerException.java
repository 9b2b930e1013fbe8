package dev.kvstore.net.internal.transport;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.internal.proto.ErrorCode;
import java.util.Objects;

/**
 * A request to a peer failed for a reason that has no more specific kvstore exception: the peer is overloaded,
 * belongs to another cluster, speaks another protocol version, or failed unexpectedly. {@link #code()} is the
 * wire error code. Subclasses: {@link PeerTimeoutException}, {@link PeerUnavailableException}.
 *
 * <p>Expected outcomes of distributed operation, so no stack trace is filled in unless there is a cause.
 */
public class PeerException extends KvStoreException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  /**
   * Creates the exception.
   *
   * @param code the wire error code
   * @param message what happened and what to do
   */
  public PeerException(ErrorCode code, String message) {
    super(message, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * Creates the exception around a local cause.
   *
   * @param code the wire error code
   * @param message what happened and what to do
   * @param cause the local failure
   */
  public PeerException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns the wire error code this exception travels as. */
  public ErrorCode code() {
    return code;
  }
}
