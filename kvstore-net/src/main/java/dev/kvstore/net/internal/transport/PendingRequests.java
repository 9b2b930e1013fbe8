package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.proto.Envelope;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The requests of one transport that await a reply, by request id: issues ids, correlates replies, and
 * completes each request's future exactly once (reply, error reply, timeout or failure) through the
 * completion executor: {@code Runnable::run} completes on the thread that saw the reply (the Netty
 * transport's event loop, whose callbacks then must not block).
 *
 * <p>Thread-safe: a concurrent map; whoever removes an entry owns its completion.
 */
public final class PendingRequests {
  private final Executor completer;
  private final AtomicLong lastId = new AtomicLong(Envelopes.HANDSHAKE_REQUEST_ID);
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

  /**
   * Creates an empty table.
   *
   * @param completer where futures are completed (a request's callbacks run there)
   */
  public PendingRequests(Executor completer) {
    this.completer = Objects.requireNonNull(completer, "completer");
  }

  /** Registers a request to {@code peer} whose reply completes {@code future}; returns its fresh request id. */
  public long register(String peer, CompletableFuture<Envelope> future) {
    long id = lastId.incrementAndGet();
    pending.put(id, new Pending(id, peer, future));
    return id;
  }

  /** Attaches the timeout task of request {@code id}, cancelled when it completes; cancels it at once if done. */
  public void attachTimeout(long id, Cancellable timeout) {
    Pending p = pending.get(id);
    if (p == null) {
      timeout.cancel();
    } else {
      p.timeout = timeout;
    }
  }

  /** Returns whether request {@code id} still awaits its reply. */
  public boolean isPending(long id) {
    return pending.containsKey(id);
  }

  /** Returns the number of requests awaiting a reply. */
  public int size() {
    return pending.size();
  }

  /**
   * Completes the request that {@code reply} answers: with the reply, or exceptionally when it is an error.
   *
   * @param reply a reply envelope
   * @return false if no such request is pending (timed out already, or a duplicate reply)
   */
  public boolean complete(Envelope reply) {
    Pending p = remove(reply.getRequestId());
    if (p == null) {
      return false;
    }
    if (reply.hasError()) {
      completeLater(p, null, ErrorCodes.toException(reply.getError(), p.peer));
    } else {
      completeLater(p, reply, null);
    }
    return true;
  }

  /** Fails request {@code id} with {@code failure}; returns false if it was no longer pending. */
  public boolean fail(long id, Throwable failure) {
    Pending p = remove(id);
    if (p == null) {
      return false;
    }
    completeLater(p, null, failure);
    return true;
  }

  /** Fails every pending request whose peer matches, with {@code failure}; returns how many. */
  public int failIf(Predicate<String> peer, Throwable failure) {
    List<Long> ids = pending.values().stream().filter(p -> peer.test(p.peer)).map(p -> p.id).toList();
    int failed = 0;
    for (long id : ids) {
      failed += fail(id, failure) ? 1 : 0;
    }
    return failed;
  }

  private Pending remove(long id) {
    Pending p = pending.remove(id);
    if (p != null && p.timeout != null) {
      p.timeout.cancel();
    }
    return p;
  }

  private void completeLater(Pending p, Envelope reply, Throwable failure) {
    Runnable completion = reply != null
        ? () -> p.future.complete(reply)
        : () -> p.future.completeExceptionally(failure);
    try {
      completer.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run();
    }
  }

  private static final class Pending {
    final long id;
    final String peer;
    final CompletableFuture<Envelope> future;
    volatile Cancellable timeout;

    Pending(long id, String peer, CompletableFuture<Envelope> future) {
      this.id = id;
      this.peer = peer;
      this.future = future;
    }
  }
}
