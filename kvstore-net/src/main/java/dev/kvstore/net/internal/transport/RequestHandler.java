package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * What a node does with an incoming request: computes the reply body. Installed by
 * {@link Transport#serve(RequestHandler)}. The Netty transport calls it on the event loop that read the
 * request, from several loops at once when it has several: it must be thread-safe and must not block (a
 * disk read or a wait goes to an executor, and the reply future completes later).
 */
@FunctionalInterface
public interface RequestHandler {

  /**
   * Handles one request.
   *
   * @param request the stamped request envelope (sender, Lamport time, body)
   * @return the reply: an envelope builder with only the body set; completing exceptionally (or throwing)
   *     sends an {@code Error} reply mapped by {@link ErrorCodes}
   */
  CompletableFuture<Envelope.Builder> handle(Envelope request);
}
