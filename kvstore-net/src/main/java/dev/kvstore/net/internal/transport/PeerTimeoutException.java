package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.ErrorCode;

/**
 * No reply arrived within the request's timeout. The peer may still have executed the request; the reply,
 * if it comes, is ignored. Internal: users see {@link dev.kvstore.core.OutcomeUnknownException}.
 */
public class PeerTimeoutException extends PeerException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the peer, the request and the timeout. */
  public PeerTimeoutException(String message) {
    this(message, null);
  }

  /** Creates the exception for a request to {@code node} (null if unknown). */
  public PeerTimeoutException(String message, String node) {
    super(ErrorCode.TIMEOUT, message, node, null);
  }

  @Override
  public boolean mayHaveExecuted() {
    return true;
  }
}
