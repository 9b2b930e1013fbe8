package dev.kvstore.net.internal.status;

import dev.kvstore.net.NodeStatus;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.RequestHandler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A request handler that answers status requests and hands every other request to the handler it wraps. The
 * status is computed on {@code executor}, never on the event loop that read the request (reading the log's
 * counters takes its lock). Thread-safe.
 */
public final class StatusHandler implements RequestHandler {
  private final RequestHandler delegate;
  private final Supplier<NodeStatus> status;
  private final Executor executor;

  /** Answers status requests with {@code status}, computed on {@code executor}; the rest goes to {@code delegate}. */
  public StatusHandler(RequestHandler delegate, Supplier<NodeStatus> status, Executor executor) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.status = Objects.requireNonNull(status, "status");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public CompletableFuture<Envelope.Builder> handle(Envelope request) {
    if (request.hasStatusRequest()) {
      return CompletableFuture.supplyAsync(status, executor).thenApply(StatusMessages::reply);
    }
    return delegate.handle(request);
  }
}
