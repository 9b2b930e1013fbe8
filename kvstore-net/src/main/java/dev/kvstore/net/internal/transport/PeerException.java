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
 * Internal: {@link ErrorCodes#toPublic} turns it into a public exception before it reaches a user.
 */
public class PeerException extends KvStoreException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;
  private final String node;

  /**
   * Creates the exception.
   *
   * @param code the wire error code
   * @param message what happened and what to do
   */
  public PeerException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  /**
   * Creates the exception around a local cause.
   *
   * @param code the wire error code
   * @param message what happened and what to do
   * @param cause the local failure
   */
  public PeerException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  /**
   * Creates the exception for a request to a known peer.
   *
   * @param code the wire error code
   * @param message what happened and what to do
   * @param node the peer's id, null if unknown
   * @param cause the local failure, or null
   */
  public PeerException(ErrorCode code, String message, String node, Throwable cause) {
    super(message, cause, cause != null);
    this.code = Objects.requireNonNull(code, "code");
    this.node = node;
  }

  /** The peer's id, {@code "?"} when the failure does not know it. */
  public String node() {
    return node == null ? "?" : node;
  }

  /** Whether the failure knows which peer it concerns ({@link #node()} is then not {@code "?"}). */
  public boolean hasNode() {
    return node != null;
  }

  /**
   * Whether the request may have executed on the peer: true for an unexpected failure there (UNKNOWN); false
   * for a refused handshake (the request was never sent) and for the other codes the peer answered with.
   */
  public boolean mayHaveExecuted() {
    return code == ErrorCode.UNKNOWN;
  }

  /** Returns the wire error code this exception travels as. */
  public ErrorCode code() {
    return code;
  }
}
