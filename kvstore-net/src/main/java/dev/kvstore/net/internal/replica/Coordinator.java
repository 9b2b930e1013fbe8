package dev.kvstore.net.internal.replica;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.OperationId;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.RetryDuplicates;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.proto.ClientOp;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Forward;
import dev.kvstore.net.internal.proto.Hint;
import dev.kvstore.net.internal.health.PeerHealth;
import dev.kvstore.net.internal.hints.HintStore;
import dev.kvstore.net.internal.proto.ForwardReply;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.PeerException;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import com.google.protobuf.UnsafeByteOperations;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates client operations across the replicas of a key.
 *
 * <p>A write is coordinated by a replica of the key, because the new version's dot must come from a node
 * that knows the key's latest counter for itself: a node outside the preference list forwards the write to
 * the first node of the list that answers. The coordinator appends the new version to its log and, while
 * its log forces it, sends the key's whole new sibling set to the other N-1 replicas, which merge it by DVV
 * sync; the write succeeds at W durable acks, its own counting as one but not required (with W=2, two
 * other replicas suffice, even before or without the coordinator's own force). The set leaves the node
 * before it is durable here; a store that may have lost such a set reopens as a new incarnation, and one
 * whose log failed takes no more writes, so no dot is ever minted twice. A read asks R replicas (this node first
 * when it is one), asks the next replica for each that fails, and merges the answers by DVV sync. Too few
 * answers in time is an {@link InsufficientReplicasException}.
 *
 * <p>Threads: an operation runs to completion on the thread that started it, normally the event loop that
 * read the request: the key's set is read from memory, the new version logged (completing back on the same
 * loop, one task per log group), the replicas sent to (one flush per peer and pass), the answers counted as
 * they arrive on the loop. Only a key whose set is not in memory goes to the scheduler's worker pool, for the
 * disk read, and carries on from there. Nothing here blocks. Thread-safe.
 */
public final class Coordinator {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  /**
   * How long a spare copy may wait for its force. A write sends its set to the other N-1 replicas at once, but only
   * the first W-1 that are up (this node's own copy is one of the W) are asked to force it at the end of their
   * pass; the rest get it as a spare, which rides along with the next force the replica makes anyway, or is forced
   * this long after, at the latest. Every ack still means a durable copy; a spare's counts when another copy fails
   * or is slow, at the cost of this delay. Three nodes and 16 writers: 5-11% fewer forces per put; puts per second and
   * CPU per put did not change measurably (docs/benchmarks.md).
   */
  static final java.time.Duration SPARE_FORCE_DELAY = java.time.Duration.ofMillis(2);

  private final String localNode;
  private final Replica replica;
  private final Ring ring;
  private final Transport transport;
  private final Scheduler scheduler;
  private final ClockOffsetGuard clockGuard;
  // Every future handed to a client and not yet complete, so close() can fail them rather than leave
  // them hanging when the executor drops queued work.
  // (true for a write, which may have been applied when the node stops).
  private final java.util.Map<CompletableFuture<?>, Boolean> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

  private final PeerHealth health;
  private final HintStore hints;
  private final boolean sloppy;

  /**
   * A coordinator for {@code localNode}, whose replica is {@code replica}, that treats every peer as up, holds
   * no hints and counts only the key's home replicas toward W (strict quorum); remote timestamps are checked
   * against the system clock with the default maximum offset.
   */
  public Coordinator(String localNode, Replica replica, Ring ring, Transport transport, Scheduler scheduler) {
    this(localNode, replica, ring, transport, scheduler, ClockOffsetGuard.systemDefault());
  }

  /** As the five-argument form, refusing remote versions {@code clockGuard} refuses. */
  public Coordinator(String localNode, Replica replica, Ring ring, Transport transport, Scheduler scheduler,
      ClockOffsetGuard clockGuard) {
    this(localNode, replica, ring, transport, scheduler, clockGuard, PeerHealth.ALL_UP, null, false);
  }

  /**
   * A coordinator that asks {@code health} which peers are up and, when {@code hints} is not null, holds
   * hints for replicas that are down or fail. With {@code sloppy}, a hint counts toward W (Dynamo's sloppy
   * quorum); otherwise only the key's home replicas count, and hints are held only for delivery. Remote
   * timestamps are checked by {@code clockGuard}.
   */
  public Coordinator(String localNode, Replica replica, Ring ring, Transport transport, Scheduler scheduler,
      ClockOffsetGuard clockGuard, PeerHealth health, HintStore hints, boolean sloppy) {
    if (sloppy && hints == null) {
      throw new IllegalArgumentException("a sloppy quorum needs a hint store");
    }
    this.localNode = localNode;
    this.replica = replica;
    this.ring = ring;
    this.transport = transport;
    this.scheduler = scheduler;
    this.clockGuard = clockGuard;
    this.health = health;
    this.hints = hints;
    this.sloppy = sloppy;
  }

  /** The hints this node holds for others, or null when it holds none. */
  public HintStore hints() {
    return hints;
  }

  /** The check of remote timestamps against this node's clock. */
  public ClockOffsetGuard clockGuard() {
    return clockGuard;
  }

  /** This node's id. */
  public String localNode() {
    return localNode;
  }

  /** The replica this node holds. */
  public Replica replica() {
    return replica;
  }

  /** The scheduler of this node: timers, the completer of the calling thread, the pool for blocking work. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The ring the coordinator places keys on. */
  public Ring ring() {
    return ring;
  }

  /**
   * Writes {@code value} (null: a tombstone) superseding what {@code context} saw (null: everything the
   * coordinating replica holds), and completes with the context after the write.
   */
  public CompletableFuture<Context> write(byte[] key, byte[] value, Context context, Quorum q) {
    return write(key, value, context, null, q);
  }

  /**
   * {@link #write(byte[], byte[], Context, Quorum)} as the client operation {@code op} (null: none). A node
   * that is not a replica of the key, or whose replica takes no writes ({@link Replica#writeRefusal()}),
   * forwards the write to the replicas in order; a forward is retried on the next replica when it was not
   * sent, and also when it may have executed if it carries an operation id (the next coordinator then finds
   * the id instead of minting a second version: see {@link #coordinateHere(byte[], byte[], Context,
   * OperationId, boolean, Quorum)}).
   */
  public CompletableFuture<Context> write(byte[] key, byte[] value, Context context, OperationId op, Quorum q) {
    List<String> replicas = ring.preferenceList(key, q.n());
    if (!replicas.contains(localNode) || replica.writeRefusal() != null) {
      List<String> targets = upFirst(replicas.stream().filter(node -> !node.equals(localNode)).toList());
      return track(true, () -> forward(key, value, context, op, q, targets, 0, null, null));
    }
    return coordinateHere(key, value, context, op, false, q);
  }

  /**
   * Fails every client operation still in flight: a read with {@link dev.kvstore.core.StoreClosedException}, a
   * write with {@link dev.kvstore.core.OutcomeUnknownException} (it may have been applied). Called when the node
   * stops, before its executor and transport go away.
   */
  public void close() {
    String message = "node " + localNode + " stopped while the operation was in flight";
    dev.kvstore.core.StoreClosedException closed = new dev.kvstore.core.StoreClosedException(message);
    dev.kvstore.core.OutcomeUnknownException unknown = new dev.kvstore.core.OutcomeUnknownException(localNode,
        message + "; the write may or may not have been applied", false, null);
    for (var f : List.copyOf(inFlight.entrySet())) {
      f.getKey().completeExceptionally(f.getValue() ? unknown : closed);
    }
  }

  private <T> CompletableFuture<T> track(boolean write, java.util.function.Supplier<CompletableFuture<T>> start) {
    CompletableFuture<T> result = new CompletableFuture<>();
    inFlight.put(result, write);
    result.whenComplete((v, e) -> inFlight.remove(result));
    try {
      start.get().whenComplete((v, e) -> {
        if (e == null) {
          result.complete(v);
        } else {
          result.completeExceptionally(dev.kvstore.core.internal.Futures.unwrap(e));
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(new dev.kvstore.core.StoreClosedException("node " + localNode + " is stopping"));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  /**
   * Coordinates a write here; the caller checked that this node is a replica of the key. The new version goes
   * into the local log and, at the same time, to the other replicas: each force runs in parallel with the
   * others. The write succeeds at W durable acks, the local one included. Runs on the calling thread when the
   * key's set is in memory, else from the worker pool (the disk read).
   */
  CompletableFuture<Context> coordinateHere(byte[] key, byte[] value, Context context, Quorum q) {
    return coordinateHere(key, value, context, null, false, q);
  }

  /**
   * {@link #coordinateHere(byte[], byte[], Context, Quorum)} as the client operation {@code op} (null: none).
   * When the key's set here already holds a sibling written by {@code op}, nothing is minted: that set is sent
   * to the other replicas and the write answers once W of them hold it. With {@code retry} (an earlier attempt
   * may have executed on another coordinator), the key is first read from R replicas and their sets merged
   * here, so the id is found wherever a write quorum of the earlier attempt put it.
   */
  CompletableFuture<Context> coordinateHere(byte[] key, byte[] value, Context context, OperationId op,
      boolean retry, Quorum q) {
    if (!retry || op == null) {
      return track(true, () -> coordinateLocally(key, value, context, op, q));
    }
    return track(true, () -> readNow(key, q)
        .thenCompose(seen -> mergeHere(key, seen))
        .thenCompose(merged -> coordinateLocally(key, value, context, op, q)));
  }

  private CompletableFuture<Context> coordinateLocally(byte[] key, byte[] value, Context context, OperationId op,
      Quorum q) {
    List<String> replicas = ring.preferenceList(key, q.n());
    String name = value == null ? "delete" : "put";
    Replica.Logged logged = replica.tryCoordinateCached(key, value, context, op, scheduler.completer());
    if (logged != null) {
      return replicated(name, key, logged, replicas, q);
    }
    Executor pool = scheduler.executor();
    return CompletableFuture.supplyAsync(() -> replica.coordinateLogged(key, value, context, op, pool), pool)
        .thenCompose(onPool -> replicated(name, key, onPool, replicas, q));
  }

  /**
   * Merges {@code remote} into this node's replica of the key: on the calling thread (an event loop) when the
   * key's set is in memory, else on the worker pool, which reads it from disk.
   */
  CompletableFuture<DvvSet<StoredValue>> mergeHere(byte[] key, DvvSet<StoredValue> remote) {
    return mergeHere(key, remote, false);
  }

  /**
   * {@link #mergeHere(byte[], DvvSet)}; a {@code spare} copy (see {@link #SPARE_FORCE_DELAY}) may wait for a force
   * the loop makes anyway, up to that delay. The future completes only once the merge is durable, either way.
   */
  CompletableFuture<DvvSet<StoredValue>> mergeHere(byte[] key, DvvSet<StoredValue> remote, boolean spare) {
    Executor completer = spare ? scheduler.deferringCompleter(SPARE_FORCE_DELAY.toNanos()) : scheduler.completer();
    CompletableFuture<DvvSet<StoredValue>> merged = replica.tryMergeCached(key, remote, completer);
    if (merged != null) {
      return merged;
    }
    Executor pool = scheduler.executor();
    return CompletableFuture.supplyAsync(() -> replica.merge(key, remote, pool), pool).thenCompose(f -> f);
  }

  private CompletableFuture<Context> replicated(
      String op, byte[] key, Replica.Logged logged, List<String> replicas, Quorum q) {
    return replicate(op, key, logged, replicas, q).thenApply(set -> Context.of(replica.contextScope(), set.context()));
  }

  private CompletableFuture<DvvSet<StoredValue>> replicate(
      String op, byte[] key, Replica.Logged logged, List<String> replicas, Quorum q) {
    QuorumCall<String> call = new QuorumCall<>(op, q.w(), replicas, scheduler, q.timeout());
    logged.durable().whenComplete((set, failure) -> {
      if (failure == null) {
        call.answer(localNode, localNode);
      } else {
        log.warn("{} of {}: the local write failed: {}", op, java.util.HexFormat.of().formatHex(key), failure.toString());
        call.fail(localNode, failure);
      }
    });
    // The bytes the store logged are the bytes replicated: the set is encoded once.
    byte[] encoded = logged.encoded() != null ? logged.encoded() : SiblingCodec.encode(logged.set());
    Replicate.Builder copy = Replicate.newBuilder()
        .setKey(ByteString.copyFrom(key)).setSiblings(UnsafeByteOperations.unsafeWrap(encoded));
    Envelope.Builder urgent = Envelope.newBuilder().setReplicate(copy);
    Envelope.Builder spare = Envelope.newBuilder().setReplicate(copy.clone().setSpare(true));
    Handoff handoff = hints == null ? null
        : new Handoff(op, key, logged.set(), encoded, replicas, q, call, logged.durable());
    int urgentLeft = q.w() - 1; // this node's own copy is one of the W
    for (String node : upFirst(replicas)) {
      if (node.equals(localNode)) {
        continue;
      }
      if (sloppy && !health.isUp(node)) {
        handoff.hint(node, null); // known down: straight to a hint, which counts toward W
        continue;
      }
      Envelope.Builder body = urgentLeft-- > 0 ? urgent : spare;
      transport.request(node, body, q.timeout()).whenComplete((reply, failure) -> {
        if (failure == null) {
          call.answer(node, node);
        } else {
          log.debug("replicate to {} failed: {}", node, failure.toString());
          boolean hintable = handoff != null && hintable(failure);
          if (hintable && sloppy && !call.result().isDone()) {
            handoff.hint(node, failure);
          } else {
            call.fail(node, failure);
            if (hintable) {
              handoff.holdHere(node); // not counted: only so the replica gets the write when it is back
            }
          }
        }
      });
    }
    return call.result().thenApply(acks -> logged.set());
  }

  /**
   * The hints of one write: for a home replica that is down or failed, the set goes to the next healthy node
   * of the ring past the key's home replicas (each holds one hint of the write), or, when there is none left,
   * to this node's own hint store. Under a sloppy quorum the durable hint answers for the replica.
   */
  private final class Handoff {
    private final String op;
    private final byte[] key;
    private final DvvSet<StoredValue> set;
    private final byte[] encoded;
    private final List<String> home;
    private final Quorum q;
    private final QuorumCall<String> call;
    private final CompletableFuture<?> localDurable; // this node's own copy of the write
    private List<String> holders; // guarded by this: healthy nodes past the home replicas, in ring order
    private int nextHolder; // guarded by this

    Handoff(String op, byte[] key, DvvSet<StoredValue> set, byte[] encoded, List<String> home, Quorum q,
        QuorumCall<String> call, CompletableFuture<?> localDurable) {
      this.localDurable = localDurable;
      this.op = op;
      this.key = key;
      this.set = set;
      this.encoded = encoded;
      this.home = home;
      this.q = q;
      this.call = call;
    }

    /** Hints the write for {@code target} and counts the durable hint toward W; {@code cause}: why (or null). */
    void hint(String target, Throwable cause) {
      String holder = nextHolder();
      if (holder == null) {
        hold(target, cause);
        return;
      }
      Envelope.Builder body = Envelope.newBuilder().setHint(Hint.newBuilder().setTarget(target)
          .setKey(ByteString.copyFrom(key)).setSiblings(UnsafeByteOperations.unsafeWrap(encoded)));
      transport.request(holder, body, q.timeout()).whenComplete((reply, failure) -> {
        if (failure == null) {
          log.debug("{} of {}: {} holds the hint for {}", op, hex(key), holder, target);
          call.answer(target, target);
        } else if (!call.result().isDone()) {
          hint(target, failure); // the next holder
        } else {
          holdHere(target);
        }
      });
    }

    /** Holds the hint in this node's store and counts it toward W. */
    private void hold(String target, Throwable cause) {
      // A hint on this node is no copy of its own: it counts once this node's write is durable too, so that an
      // acknowledged write is always in the coordinator's store (read-your-writes here, even with W=1).
      hints.hold(target, key, set, scheduler).thenCombine(localDurable, (a, b) -> a).whenComplete((v, failure) -> {
        if (failure == null) {
          log.debug("{} of {}: this node holds the hint for {}", op, hex(key), target);
          call.answer(target, target);
        } else {
          call.fail(target, cause != null ? cause : failure);
        }
      });
    }

    /** Holds the hint in this node's store without counting it: the outcome is decided already. */
    void holdHere(String target) {
      hints.hold(target, key, set, scheduler).whenComplete((v, failure) -> {
        if (failure != null) {
          log.debug("{} of {}: no hint held for {}: {}", op, hex(key), target, failure.toString());
        }
      });
    }

    private synchronized String nextHolder() {
      if (holders == null) {
        holders = new java.util.ArrayList<>();
        for (String node : ring.preferenceList(key, ring.nodes().size())) {
          if (!home.contains(node) && health.isUp(node)) {
            holders.add(node);
          }
        }
      }
      return nextHolder < holders.size() ? holders.get(nextHolder++) : null;
    }
  }

  /**
   * Whether a replica's failure is one a hint answers: the replica did not get the write (unreachable, timed
   * out, overloaded, stopping), as opposed to refusing it (a bad request would fail there again).
   */
  private static boolean hintable(Throwable failure) {
    Throwable cause = dev.kvstore.core.internal.Futures.unwrap(failure);
    return cause instanceof dev.kvstore.net.internal.transport.PeerTimeoutException
        || cause instanceof dev.kvstore.net.internal.transport.PeerUnavailableException
        || cause instanceof dev.kvstore.core.OverloadedException
        || cause instanceof dev.kvstore.core.StoreClosedException;
  }

  /** {@code nodes} with those the detector treats as up first, each group in its order. */
  private List<String> upFirst(List<String> nodes) {
    List<String> up = new java.util.ArrayList<>(nodes.size());
    List<String> down = new java.util.ArrayList<>(2);
    for (String n : nodes) {
      (health.isUp(n) ? up : down).add(n); // asked once per node: the detector may change its mind meanwhile
    }
    up.addAll(down);
    return up;
  }

  private static String hex(byte[] key) {
    return java.util.HexFormat.of().formatHex(key);
  }

  private CompletableFuture<Context> forward(byte[] key, byte[] value, Context context, OperationId op, Quorum q,
      List<String> replicas, int index, PeerException unknown, Throwable last) {
    if (index >= replicas.size()) {
      if (unknown != null) { // the first attempt that may have executed: where the write may be
        return CompletableFuture.failedFuture(ErrorCodes.toPublic(unknown, false, localNode));
      }
      // none may have executed: the replicas tried are named, with the last failure (which says it was not sent)
      return CompletableFuture.failedFuture(new InsufficientReplicasException(value == null ? "delete" : "put", 0,
          q.w(), last == null ? "no replica of the key to forward to" : last.getMessage(), replicas));
    }
    Forward.Builder f = Forward.newBuilder()
        .setOp(value == null ? ClientOp.DELETE : ClientOp.PUT)
        .setKey(ByteString.copyFrom(key))
        .setW(q.w())
        .setR(q.r())
        .setTimeoutMillis(q.timeout().toMillis());
    if (value != null) {
      f.setValue(ByteString.copyFrom(value));
    }
    if (context != null) {
      f.setHasContext(true).setContext(ByteString.copyFrom(context.toBytes()));
    }
    if (op != null) {
      f.setOpClient(op.client()).setOpSequence(op.sequence()).setRetry(unknown != null);
    }
    String target = replicas.get(index);
    return transport.request(target, Envelope.newBuilder().setForward(f), q.timeout().multipliedBy(2))
        .thenApply(reply -> Context.fromBytes(reply.getForwardReply().getContext().toByteArray()))
        .exceptionallyCompose(failure -> {
          Throwable cause = dev.kvstore.core.internal.Futures.unwrap(failure);
          boolean executed = cause instanceof PeerException p && p.mayHaveExecuted();
          // A request that was not sent (or that the node refused before doing anything) goes to the next
          // replica. One that may have executed goes there only with an operation id, which the next
          // coordinator looks for first; without one, a retry could mint a second version of the same write.
          if (cause instanceof PeerException && (!executed || op != null)) {
            log.debug("forward to {} failed ({}); trying the next replica", target, cause.toString());
            PeerException first = unknown != null ? unknown : executed ? (PeerException) cause : null;
            return forward(key, value, context, op, q, replicas, index + 1, first, cause);
          }
          return CompletableFuture.failedFuture(ErrorCodes.toPublic(cause, false, target));
        });
  }

  /**
   * Reads the key from R of its N replicas and merges their sibling sets. This node answers first when it
   * is a replica (from memory on the calling thread, or from disk on the worker pool); a replica that fails is
   * replaced by the next one of the preference list, and replicas still silent after a fifth of the
   * timeout are backed up by asking all the others. Once every replica asked has answered, those whose set
   * differs from the merge are sent the merge (read repair).
   */
  public CompletableFuture<DvvSet<StoredValue>> read(byte[] key, Quorum q) {
    return track(false, () -> readNow(key, q));
  }

  private CompletableFuture<DvvSet<StoredValue>> readNow(byte[] key, Quorum q) {
    List<String> replicas = ring.preferenceList(key, q.n());
    List<String> order = new java.util.ArrayList<>(replicas.size());
    if (replicas.contains(localNode)) {
      order.add(localNode);
    }
    for (String node : upFirst(replicas)) {
      if (!node.equals(localNode)) {
        order.add(node);
      }
    }
    QuorumCall<DvvSet<StoredValue>> call = new QuorumCall<>("get", q.r(), replicas, scheduler, q.timeout());
    ReadRound round = new ReadRound(key, order, call, q);
    round.ask(q.r());
    if (q.r() < order.size()) {
      Cancellable backup = scheduler.schedule(q.timeout().dividedBy(5), round::askRest);
      call.result().whenComplete((v, e) -> backup.cancel());
    }
    return call.result().thenApply(sets -> merge(sets));
  }

  /** One read: asks replicas in order, collects their answers and repairs the stale ones once all asked are in. */
  private final class ReadRound {
    private final byte[] key;
    private final List<String> order;
    private final QuorumCall<DvvSet<StoredValue>> call;
    private final Quorum q;
    private final Envelope.Builder body;
    private final java.util.Map<String, DvvSet<StoredValue>> answers = new java.util.LinkedHashMap<>();
    private int next; // guarded by this
    private int pending; // guarded by this: asked, not yet answered or failed
    private boolean repaired; // guarded by this

    ReadRound(byte[] key, List<String> order, QuorumCall<DvvSet<StoredValue>> call, Quorum q) {
      this.key = key;
      this.order = order;
      this.call = call;
      this.q = q;
      this.body = Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFrom(key)));
    }

    /**
     * Asks the next {@code count} replicas in order (fewer if fewer are left). All of them count as asked
     * before the first is sent, so an answer that comes at once cannot finish the round early. Only the
     * first ask of a round can be this node.
     */
    void ask(int count) {
      List<String> targets = new java.util.ArrayList<>(count);
      synchronized (this) {
        while (targets.size() < count && next < order.size()) {
          targets.add(order.get(next++));
          pending++;
        }
      }
      targets.forEach(this::send);
    }

    /** Asks every replica not asked yet (the backup when some are slow). */
    void askRest() {
      if (!call.result().isDone()) {
        ask(order.size());
      }
    }

    private void send(String node) {
      if (node.equals(localNode)) {
        readHere(node);
        return;
      }
      transport.request(node, body, q.timeout()).whenComplete((reply, failure) -> {
        DvvSet<StoredValue> set = null;
        Throwable cause = failure;
        if (cause == null) {
          try {
            set = clockGuard.check(decode(reply.getReadReply().getSiblings()), node, "ReadReply");
          } catch (RuntimeException e) {
            cause = e;
          }
        }
        if (set != null) {
          answered(node, set);
        } else {
          failed(node, cause);
        }
      });
    }

    /** Reads this node's copy: from memory on the calling thread, or from disk on the worker pool. */
    private void readHere(String node) {
      DvvSet<StoredValue> set;
      try {
        set = replica.readCached(key);
      } catch (RuntimeException e) {
        failed(node, e);
        return;
      }
      if (set != null) {
        answered(node, set);
        return;
      }
      try {
        CompletableFuture.supplyAsync(() -> replica.read(key), scheduler.executor()).whenComplete((read, failure) -> {
          if (failure == null) {
            answered(node, read);
          } else {
            failed(node, dev.kvstore.core.internal.Futures.unwrap(failure));
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        failed(node, new dev.kvstore.core.StoreClosedException("node " + localNode + " is stopping"));
      }
    }

    private void answered(String node, DvvSet<StoredValue> set) {
      call.answer(node, set);
      done(node, set);
    }

    private void failed(String node, Throwable failure) {
      call.fail(node, failure);
      if (!call.result().isDone()) {
        ask(1); // before done(), so a round with a replacement in flight is not finished yet
      }
      done(node, null);
    }

    /** {@code set} null: the replica did not answer. Never throws: a repair is best effort. */
    private void done(String node, DvvSet<StoredValue> set) {
      java.util.Map<String, DvvSet<StoredValue>> all;
      synchronized (this) {
        if (set != null) {
          answers.put(node, set);
        }
        if (--pending > 0 || repaired) {
          return;
        }
        repaired = true;
        all = new java.util.LinkedHashMap<>(answers); // arrival order: deterministic in simulation
      }
      try {
        DvvSet<StoredValue> merged = merge(all.values());
        all.forEach((stale, held) -> {
          if (!held.equals(merged)) {
            try {
              repair(stale, merged);
            } catch (RuntimeException e) {
              log.debug("read repair of {} skipped: {}", stale, e.toString());
            }
          }
        });
      } catch (RuntimeException e) {
        log.debug("read repair skipped: {}", e.toString());
      }
    }

    private void repair(String node, DvvSet<StoredValue> merged) {
      log.debug("read repair of {} on {}", java.util.HexFormat.of().formatHex(key), node);
      if (node.equals(localNode)) {
        mergeHere(key, merged).whenComplete((s, e) -> {
          if (e != null) {
            log.debug("read repair on {} failed: {}", node, e.toString());
          }
        });
        return;
      }
      Envelope.Builder repairBody = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
          .setKey(ByteString.copyFrom(key)).setSiblings(ByteString.copyFrom(SiblingCodec.encode(merged))));
      transport.request(node, repairBody, java.time.Duration.ofSeconds(10)).whenComplete((r, failure) -> {
        if (failure != null) {
          log.debug("read repair on {} failed: {}", node, failure.toString());
        }
      });
    }
  }

  /** The DVV sync of replicas' sets, one version kept per client operation (as every replica keeps them). */
  private static DvvSet<StoredValue> merge(java.util.Collection<DvvSet<StoredValue>> sets) {
    return RetryDuplicates.drop(sets.stream().reduce(DvvSet.empty(), DvvSet::sync));
  }

  /**
   * Decodes a sibling set from a peer; an empty field is an unknown key.
   *
   * @throws InvalidRequestException if the bytes are not a sibling set
   */
  public static DvvSet<StoredValue> decode(ByteString bytes) {
    if (bytes.isEmpty()) {
      return DvvSet.empty();
    }
    try {
      return SiblingCodec.decode(bytes.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("a peer sent a malformed sibling set: " + e.getMessage());
    }
  }

  /** Fills a forward reply. */
  static ForwardReply.Builder reply(Context context) {
    return ForwardReply.newBuilder().setContext(ByteString.copyFrom(context.toBytes()));
  }
}
