package dev.kvstore.net.internal.client;

import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.PeerException;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a client request to the replicas of its key, in preference-list order: the first node coordinates
 * it; when that node fails at the transport level (unreachable, refused, no reply in time, connection lost:
 * a {@link PeerException}) the next one is tried, if that is safe:
 *
 * <ul>
 *   <li>a request that was not sent, or that the node refused before doing anything, always;
 *   <li>one that may have executed (a timeout, a connection that closed after the request left), when it is a
 *       read, or a write with an operation id: the next attempt carries {@code retry}, so its coordinator reads
 *       the key from R replicas and finds the id instead of minting a second version;
 *   <li>a write without an operation id that may have executed, never: it fails with {@link
 *       dev.kvstore.core.OutcomeUnknownException}.
 * </ul>
 *
 * Any other failure (a quorum not reached, a bad request) is the answer and is not retried. When every replica
 * was tried the request fails with an {@link dev.kvstore.core.OutcomeUnknownException} if some attempt may have
 * executed, else with an {@link InsufficientReplicasException} that names the nodes and the last failure.
 * Failures reach the caller as public exceptions ({@link ErrorCodes#toPublic}).
 *
 * <p>A node that failed at the transport level is remembered as suspect for a while ({@link SuspectNodes}), and
 * requests try it after the key's other replicas until it answers again or the while is over: a hung first
 * replica delays one request by the attempt timeout, not every request for its keys.
 *
 * <p>Not API. Thread-safe (its fields are final; the transport and the suspect nodes are thread-safe).
 */
public final class ClientRouter {
  private static final Logger log = LoggerFactory.getLogger(ClientRouter.class);

  private final Transport transport;
  private final Ring ring;
  private final int n;
  private final Duration attemptTimeout;
  private final BooleanSupplier closed;
  private final SuspectNodes suspects;

  /**
   * Routes over {@code ring} to the first of {@code n} replicas that answers.
   *
   * @param transport the client's transport
   * @param ring the cluster's ring (same node ids and virtual nodes as the nodes use)
   * @param n replicas per key
   * @param attemptTimeout how long one node may take to answer before the next is tried
   * @param closed tells when the client is closed, so that a closed client stops trying
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code n} is not between 1 and the ring's size
   */
  public ClientRouter(Transport transport, Ring ring, int n, Duration attemptTimeout, BooleanSupplier closed) {
    this(transport, ring, n, attemptTimeout, closed, new SuspectNodes(SuspectNodes.DEFAULT_PERIOD, System::nanoTime));
  }

  /**
   * As {@link #ClientRouter(Transport, Ring, int, Duration, BooleanSupplier)}, remembering failed nodes in
   * {@code suspects} (a simulation passes one on its virtual clock).
   */
  public ClientRouter(Transport transport, Ring ring, int n, Duration attemptTimeout, BooleanSupplier closed,
      SuspectNodes suspects) {
    this.suspects = Objects.requireNonNull(suspects, "suspects");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.ring = Objects.requireNonNull(ring, "ring");
    if (n < 1 || n > ring.nodes().size()) {
      throw new IllegalArgumentException("n must be between 1 and the number of nodes (" + ring.nodes().size() + "), got " + n);
    }
    this.n = n;
    this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    this.closed = Objects.requireNonNull(closed, "closed");
  }

  /** The nodes this router's requests found failing (shared with the client's direct reads). */
  public SuspectNodes suspects() {
    return suspects;
  }

  /**
   * Sends {@code body} for {@code key} and completes with the reply of the first replica that answers (the
   * suspect ones tried last).
   *
   * @param op the operation's name for messages ({@code get}, {@code put}, {@code delete})
   * @param key the key, which places the request on the ring
   * @param body the request body (not modified)
   * @param required the quorum the operation needs, named when no replica answers
   * @return the reply, or a failure as described in the class comment
   */
  public CompletableFuture<Envelope> send(String op, byte[] key, Envelope.Builder body, int required) {
    return send(op, replicas(key), body, required);
  }

  /** The key's replicas in preference-list order (whether suspect or not). */
  public List<String> replicas(byte[] key) {
    return ring.preferenceList(key, n);
  }

  /**
   * As {@link #send(String, byte[], Envelope.Builder, int)}, trying the key's replicas in the given order (the
   * suspect ones moved to the end).
   *
   * @param targets the key's replicas, the one to try first first
   */
  public CompletableFuture<Envelope> send(String op, List<String> targets, Envelope.Builder body, int required) {
    return attempt(op, List.copyOf(suspects.unsuspectedFirst(targets)), 0, body, required, null, null);
  }

  /**
   * One attempt; {@code unknown} is the first earlier failure after which the request may have executed (null:
   * none), named in the final failure because that is where the write may be.
   */
  private CompletableFuture<Envelope> attempt(String op, List<String> targets, int index, Envelope.Builder body,
      int required, PeerException unknown, Throwable last) {
    boolean read = !isWrite(body);
    if (closed.getAsBoolean()) {
      return CompletableFuture.failedFuture(new StoreClosedException("this client is closed; connect a new one"));
    }
    if (index >= targets.size()) {
      if (unknown != null) {
        return CompletableFuture.failedFuture(ErrorCodes.toPublic(unknown, read, unknown.node()));
      }
      return CompletableFuture.failedFuture(new InsufficientReplicasException(
          op + " (no replica of the key answered the client: tried " + targets + "; last failure: "
              + (last == null ? "none" : last.getMessage()) + ")", 0, required, null, targets));
    }
    String target = targets.get(index);
    return transport.request(target, body, attemptTimeout).<CompletableFuture<Envelope>>handle((reply, failure) -> {
      suspects.record(target, failure);
      if (failure == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = ErrorCodes.unwrap(failure);
      if (!(cause instanceof PeerException peer)) {
        return CompletableFuture.<Envelope>failedFuture(ErrorCodes.toPublic(cause, read, target));
      }
      boolean executed = peer.mayHaveExecuted();
      if (executed && !read && !hasOperationId(body)) {
        return CompletableFuture.failedFuture(ErrorCodes.toPublic(cause, false, target));
      }
      log.debug("{} via {} failed ({}); trying the next replica", op, target, cause.toString());
      PeerException first = unknown != null ? unknown : executed ? peer : null;
      return attempt(op, targets, index + 1, first != null && !read ? asRetry(body) : body, required, first, cause);
    }).thenCompose(next -> next);
  }

  private static boolean isWrite(Envelope.Builder body) {
    return body.hasForward() && body.getForward().getOp() != dev.kvstore.net.internal.proto.ClientOp.GET;
  }

  private static boolean hasOperationId(Envelope.Builder body) {
    return !body.getForward().getOpClient().isEmpty();
  }

  private static Envelope.Builder asRetry(Envelope.Builder body) {
    Envelope.Builder copy = body.clone();
    copy.getForwardBuilder().setRetry(true);
    return copy;
  }
}
