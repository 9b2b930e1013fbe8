package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.ErrorCode;

/**
 * The peer cannot be reached or cannot serve: it is unknown, refused the connection, the connection broke,
 * it is shutting down, or this transport is closed. Requests that were in flight may have executed.
 */
public class PeerUnavailableException extends PeerException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the peer and the reason. */
  public PeerUnavailableException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }

  /** Creates the exception around the local I/O failure that caused it. */
  public PeerUnavailableException(String message, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, cause);
  }
}
