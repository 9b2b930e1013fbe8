package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * What a node does with an incoming request: computes the reply body. Installed by
 * {@link Transport#serve(RequestHandler)}; must be thread-safe for the Netty transport, whose executor may call it
 * from several threads at once.
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
