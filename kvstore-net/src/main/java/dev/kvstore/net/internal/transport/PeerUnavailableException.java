package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.ErrorCode;

/**
 * The peer cannot be reached or cannot serve: it is unknown, refused the connection, the connection broke,
 * it is shutting down, or this transport is closed. {@link #wasSent()} tells the two cases a retry depends on:
 * a request that never left this node (or that the peer refused before doing anything) did not execute; one
 * that was written to a connection that then closed may have. Internal: users see {@link
 * dev.kvstore.core.NodeUnavailableException} or {@link dev.kvstore.core.OutcomeUnknownException} ({@link
 * ErrorCodes#toPublic}).
 */
public class PeerUnavailableException extends PeerException {
  private static final long serialVersionUID = 1L;
  private final boolean sent;

  /** Creates the exception for a request that may have been sent; the message names the peer and the reason. */
  public PeerUnavailableException(String message) {
    this(message, null, true, null);
  }

  /** Creates the exception, for a request that may have been sent, around the local I/O failure that caused it. */
  public PeerUnavailableException(String message, Throwable cause) {
    this(message, null, true, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer
   * @param node the peer's id, null if unknown
   * @param sent false when the request certainly did not execute on the peer
   * @param cause the local failure, or null
   */
  public PeerUnavailableException(String message, String node, boolean sent, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, node, cause);
    this.sent = sent;
  }

  /** A failure of a request that never left this node, or that {@code node} refused before doing anything. */
  public static PeerUnavailableException notSent(String node, String message) {
    return new PeerUnavailableException(message, node, false, null);
  }

  /** This failure for a request that was never written (same message, peer and cause). */
  public PeerUnavailableException asNotSent() {
    return sent ? new PeerUnavailableException(getMessage(), node(), false, getCause()) : this;
  }

  /** Whether the request may have reached the peer (and so may have executed there). */
  public boolean wasSent() {
    return sent;
  }

  @Override
  public boolean mayHaveExecuted() {
    return sent;
  }
}
