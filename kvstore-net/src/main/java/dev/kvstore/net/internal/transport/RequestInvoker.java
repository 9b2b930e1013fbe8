package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * Calls a {@link RequestHandler} for one request the way every transport must: inside the node's log context,
 * turning a thrown exception or a null future into a failed future, so the caller always gets a future to
 * answer from. Stateless and thread-safe.
 */
public final class RequestInvoker {
  private RequestInvoker() {}

  /**
   * Invokes {@code handler} on {@code request} with the MDC keys {@code node} and {@code lamport} set.
   *
   * @param handler the installed handler, or null if none is installed (the request fails as UNAVAILABLE)
   * @param request the received request
   * @param node the serving node's id
   * @param lamport the serving node's Lamport time of the receive event
   * @return the reply body, or a failed future
   */
  public static CompletableFuture<Envelope.Builder> invoke(
      RequestHandler handler, Envelope request, String node, long lamport) {
    return LogContext.call(node, lamport, () -> invokeHere(handler, request, node));
  }

  private static CompletableFuture<Envelope.Builder> invokeHere(RequestHandler handler, Envelope request,
      String node) {
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new PeerUnavailableException("node " + node + " serves no requests (no handler installed)"));
    }
    if (request.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("request " + request.getRequestId()
          + " from " + request.getSender() + " has no body"));
    }
    try {
      CompletableFuture<Envelope.Builder> reply = handler.handle(request);
      return reply != null ? reply : CompletableFuture.failedFuture(
          new IllegalStateException("the request handler of node " + node + " returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
