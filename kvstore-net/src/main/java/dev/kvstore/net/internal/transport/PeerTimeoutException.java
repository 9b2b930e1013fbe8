package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.ErrorCode;

/**
 * No reply arrived within the request's timeout. The peer may still have executed the request; the reply,
 * if it comes, is ignored.
 */
public class PeerTimeoutException extends PeerException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the peer, the request and the timeout. */
  public PeerTimeoutException(String message) {
    super(ErrorCode.TIMEOUT, message);
  }
}
