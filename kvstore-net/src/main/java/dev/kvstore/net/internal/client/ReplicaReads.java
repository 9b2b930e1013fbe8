package dev.kvstore.net.internal.client;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote client's GET in one hop: the client asks the first R replicas of the key's preference list for their
 * stored sibling sets itself (the same {@code Read} a coordinating node sends a replica), all at once. When all R
 * answer with the same bytes, that set is the answer: it is what a coordinator would have merged them into, and
 * no replica needs a repair. Otherwise (a replica failed or did not answer in time, or the sets differ) the GET
 * goes to a coordinating node as before ({@link ClientRouter}), which asks the replicas again, merges their
 * sets, repairs the stale ones and tries others when some fail; the nodes that failed here are tried last. It
 * goes there at the first failure, and when a replica is silent for a fifth of the request timeout, so a hung
 * node delays a GET by that much at most, as it does a coordinator's read. A replica that failed or was silent is
 * then suspect for a while ({@link SuspectNodes}, shared with the router): the next GETs read the first R
 * replicas that are not suspect (any R of the N make a read quorum), so a hung node delays one GET, not every
 * GET whose first R replicas include it.
 *
 * <p>Why: a coordinated GET is two network round trips in series (client to coordinator, coordinator to a
 * second replica) and the coordinator decodes, merges and encodes the sets; here the two reads travel side by
 * side and the replicas send their stored bytes as they are. The messages are as many (two requests, two
 * replies). Guarantees are unchanged: R replicas answered, and R + W > N still means a read sees every
 * acknowledged write.
 *
 * <p>Not API. Thread-safe (the transport and the suspect nodes are thread-safe; the counter is atomic).
 */
public final class ReplicaReads {
  private static final Logger log = LoggerFactory.getLogger(ReplicaReads.class);

  private final Transport transport;
  private final Duration directTimeout;
  private final ClientRouter router;
  private final AtomicInteger coordinated = new AtomicInteger();

  /**
   * Reads the replicas {@code router} places each key on, falling back to {@code router}.
   *
   * @param transport the client's transport
   * @param timeout the request timeout; a replica that has not answered after a fifth of it sends the GET to a
   *     coordinator (as a coordinator asks the other replicas after a fifth of it)
   * @param router places keys on replicas, and routes a GET to a coordinating node when the direct reads do not
   *     agree
   * @throws NullPointerException if an argument is null
   */
  public ReplicaReads(Transport transport, Duration timeout, ClientRouter router) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.directTimeout = Objects.requireNonNull(timeout, "timeout").dividedBy(5);
    this.router = Objects.requireNonNull(router, "router");
  }

  /** What a GET found: the set R replicas agree on, or the reply of the node that coordinated it. */
  public sealed interface Result {}

  /** The sibling set the first R replicas all hold (their identical stored bytes, decoded). */
  public record Agreed(DvvSet<StoredValue> set) implements Result {}

  /** The reply of the node that coordinated the GET (a {@code ForwardReply}). */
  public record Coordinated(Envelope reply) implements Result {}

  /**
   * Reads {@code key} from {@code r} replicas.
   *
   * @param key the key (not modified)
   * @param r how many replicas must answer, 1 to n
   * @param coordinatedGet the {@code Forward} GET sent to a coordinator when the direct reads do not agree
   * @return the agreed set, or the coordinator's reply; fails as {@link ClientRouter#send} does
   */
  public CompletableFuture<Result> read(byte[] key, int r, Envelope.Builder coordinatedGet) {
    List<String> placed = router.replicas(key);
    if (r < 1 || r > placed.size()) {
      throw new IllegalArgumentException("r must be between 1 and n (" + placed.size() + "), got " + r);
    }
    List<String> replicas = router.suspects().unsuspectedFirst(placed);
    Envelope.Builder body = Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFrom(key)));
    Round round = new Round(replicas, r, coordinatedGet);
    for (int i = 0; i < r; i++) {
      int slot = i;
      CompletableFuture<Envelope> ask;
      try {
        ask = transport.request(replicas.get(i), body, directTimeout);
      } catch (RuntimeException e) {
        ask = CompletableFuture.failedFuture(e);
      }
      ask.whenComplete((reply, failure) -> round.answered(slot, reply, failure));
    }
    return round.result;
  }

  /**
   * One GET's direct reads: completes with the agreed set once all R answered alike, or goes to a coordinator at
   * the first failure, silence past the direct timeout, or disagreement. Thread-safe.
   */
  private final class Round {
    private final List<String> replicas;
    private final Envelope.Builder coordinatedGet;
    private final AtomicReferenceArray<ByteString> answers;
    private final AtomicReferenceArray<Boolean> failed;
    private final AtomicInteger pending;
    private final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
    final CompletableFuture<Result> result = new CompletableFuture<>();

    Round(List<String> replicas, int r, Envelope.Builder coordinatedGet) {
      this.replicas = replicas;
      this.coordinatedGet = coordinatedGet;
      this.answers = new AtomicReferenceArray<>(r);
      this.failed = new AtomicReferenceArray<>(r);
      this.pending = new AtomicInteger(r);
    }

    void answered(int slot, Envelope reply, Throwable failure) {
      try {
        router.suspects().record(replicas.get(slot), failure);
        if (failure == null && reply.hasReadReply()) {
          answers.set(slot, reply.getReadReply().getSiblings());
        } else {
          failed.set(slot, true);
          if (decided.compareAndSet(false, true)) {
            coordinate(failure != null ? failure.toString() : "a " + reply.getBodyCase() + " instead of a READ_REPLY");
          }
          return;
        }
        if (pending.decrementAndGet() == 0 && decided.compareAndSet(false, true)) {
          DvvSet<StoredValue> agreed = agreed(answers);
          if (agreed != null) {
            result.complete(new Agreed(agreed));
          } else {
            coordinate("their sets differ");
          }
        }
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    }

    /** Sends the GET to a coordinator: the replicas in preference order, those that failed here last. */
    private void coordinate(String why) {
      coordinated.incrementAndGet();
      List<String> order = new ArrayList<>(replicas.size());
      List<String> last = new ArrayList<>();
      for (int i = 0; i < replicas.size(); i++) {
        (i < failed.length() && failed.get(i) != null ? last : order).add(replicas.get(i));
      }
      order.addAll(last);
      log.debug("get: the first {} replicas {} did not agree ({}); asking a coordinator, in order {}",
          answers.length(), replicas.subList(0, answers.length()), why, order);
      router.send("get", order, coordinatedGet, answers.length()).whenComplete((reply, error) -> {
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(new Coordinated(reply));
        }
      });
    }
  }

  /** How many GETs went to a coordinator because the direct reads did not agree (for tests and logs). */
  public int coordinatedReads() {
    return coordinated.get();
  }

  /** The set all answers hold, or null when one is missing, they differ, or it does not decode. */
  private static DvvSet<StoredValue> agreed(AtomicReferenceArray<ByteString> answers) {
    ByteString first = answers.get(0);
    for (int i = 0; i < answers.length(); i++) {
      if (answers.get(i) == null || !answers.get(i).equals(first)) {
        return null;
      }
    }
    if (first.isEmpty()) {
      return DvvSet.empty();
    }
    try {
      return SiblingCodec.decode(first.toByteArray());
    } catch (IllegalArgumentException e) {
      return null; // a coordinator will find it malformed too and say so
    }
  }
}
