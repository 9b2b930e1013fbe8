package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Envelope.BodyCase;
import java.util.Locale;
import java.util.Objects;

/**
 * Protocol constants and checks on envelope bodies, shared by every transport. Stateless and thread-safe.
 */
public final class Envelopes {
  /** The protocol version this code speaks; peers with another version are refused at the handshake. */
  public static final int PROTOCOL_VERSION = 1;

  /** The request id of the handshake; regular requests start at 1. */
  public static final long HANDSHAKE_REQUEST_ID = 0;

  private Envelopes() {}

  /**
   * Checks that a caller-supplied request body is usable: set, and not one the transport reserves.
   *
   * @param body the builder passed to {@link Transport#request}
   * @throws NullPointerException if {@code body} is null
   * @throws IllegalArgumentException if no body is set or it is a handshake, handshake ack or error
   */
  public static void checkRequestBody(Envelope.Builder body) {
    BodyCase kind = Objects.requireNonNull(body, "body").getBodyCase();
    if (kind == BodyCase.BODY_NOT_SET || isReserved(kind) || kind == BodyCase.ERROR) {
      throw new IllegalArgumentException("body must be set to a request message (not a handshake, handshake ack "
          + "or error), got " + kind);
    }
  }

  /** Returns whether the body is one only the transport itself sends (handshake and its ack). */
  public static boolean isReserved(BodyCase kind) {
    return kind == BodyCase.HANDSHAKE || kind == BodyCase.HANDSHAKE_ACK;
  }

  /** Returns the short lower-case name of the envelope's body, such as {@code read_reply}, for logs and traces. */
  public static String kind(Envelope envelope) {
    return envelope.getBodyCase().name().toLowerCase(Locale.ROOT);
  }
}
