package dev.kvstore.net.internal.replica;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.proto.ClientOp;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Forward;
import dev.kvstore.net.internal.proto.ForwardReply;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.transport.Cancellable;
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

  private final String localNode;
  private final Replica replica;
  private final Ring ring;
  private final Transport transport;
  private final Scheduler scheduler;
  // Every future handed to a client and not yet complete, so close() can fail them rather than leave
  // them hanging when the executor drops queued work.
  private final java.util.Set<CompletableFuture<?>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A coordinator for {@code localNode}, whose replica is {@code replica}. */
  public Coordinator(String localNode, Replica replica, Ring ring, Transport transport, Scheduler scheduler) {
    this.localNode = localNode;
    this.replica = replica;
    this.ring = ring;
    this.transport = transport;
    this.scheduler = scheduler;
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
    List<String> replicas = ring.preferenceList(key, q.n());
    if (!replicas.contains(localNode)) {
      return track(() -> forward(key, value, context, q, replicas, 0, null));
    }
    return coordinateHere(key, value, context, q);
  }

  /**
   * Fails every client operation still in flight with {@link dev.kvstore.core.StoreClosedException}: called
   * when the node stops, before its executor and transport go away.
   */
  public void close() {
    dev.kvstore.core.StoreClosedException closed =
        new dev.kvstore.core.StoreClosedException("node " + localNode + " stopped while the operation was in flight");
    for (CompletableFuture<?> f : List.copyOf(inFlight)) {
      f.completeExceptionally(closed);
    }
  }

  private <T> CompletableFuture<T> track(java.util.function.Supplier<CompletableFuture<T>> start) {
    CompletableFuture<T> result = new CompletableFuture<>();
    inFlight.add(result);
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
    List<String> replicas = ring.preferenceList(key, q.n());
    String op = value == null ? "delete" : "put";
    return track(() -> {
      Replica.Logged logged = replica.tryCoordinateCached(key, value, context, scheduler.completer());
      if (logged != null) {
        return replicated(op, key, logged, replicas, q);
      }
      Executor pool = scheduler.executor();
      return CompletableFuture.supplyAsync(() -> replica.coordinateLogged(key, value, context, pool), pool)
          .thenCompose(onPool -> replicated(op, key, onPool, replicas, q));
    });
  }

  /**
   * Merges {@code remote} into this node's replica of the key: on the calling thread (an event loop) when the
   * key's set is in memory, else on the worker pool, which reads it from disk.
   */
  CompletableFuture<DvvSet<StoredValue>> mergeHere(byte[] key, DvvSet<StoredValue> remote) {
    CompletableFuture<DvvSet<StoredValue>> merged = replica.tryMergeCached(key, remote, scheduler.completer());
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
    Envelope.Builder body = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
        .setKey(ByteString.copyFrom(key)).setSiblings(UnsafeByteOperations.unsafeWrap(encoded)));
    for (String node : replicas) {
      if (!node.equals(localNode)) {
        transport.request(node, body, q.timeout()).whenComplete((reply, failure) -> {
          if (failure == null) {
            call.answer(node, node);
          } else {
            log.debug("replicate to {} failed: {}", node, failure.toString());
            call.fail(node, failure);
          }
        });
      }
    }
    return call.result().thenApply(acks -> logged.set());
  }

  private CompletableFuture<Context> forward(
      byte[] key, byte[] value, Context context, Quorum q, List<String> replicas, int index, Throwable last) {
    if (index >= replicas.size()) {
      InsufficientReplicasException e = new InsufficientReplicasException(value == null ? "delete" : "put", 0, q.w());
      if (last != null) {
        e.addSuppressed(last);
      }
      return CompletableFuture.failedFuture(e);
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
    String target = replicas.get(index);
    return transport.request(target, Envelope.newBuilder().setForward(f), q.timeout().multipliedBy(2))
        .thenApply(reply -> Context.fromBytes(reply.getForwardReply().getContext().toByteArray()))
        .exceptionallyCompose(failure -> {
          Throwable cause = dev.kvstore.core.internal.Futures.unwrap(failure);
          // Retry only where the request cannot have been delivered: after a timeout the first replica may
          // have written it, and a retry would mint a second version of the same write.
          if (cause instanceof dev.kvstore.net.internal.transport.PeerUnavailableException) {
            log.debug("forward to {} failed ({}); trying the next replica", target, cause.toString());
            return forward(key, value, context, q, replicas, index + 1, cause);
          }
          return CompletableFuture.failedFuture(cause);
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
    return track(() -> readNow(key, q));
  }

  private CompletableFuture<DvvSet<StoredValue>> readNow(byte[] key, Quorum q) {
    List<String> replicas = ring.preferenceList(key, q.n());
    List<String> order = new java.util.ArrayList<>(replicas.size());
    if (replicas.contains(localNode)) {
      order.add(localNode);
    }
    for (String node : replicas) {
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
    return call.result().thenApply(sets -> sets.stream().reduce(DvvSet.empty(), DvvSet::sync));
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
            set = decode(reply.getReadReply().getSiblings());
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
        DvvSet<StoredValue> merged = all.values().stream().reduce(DvvSet.empty(), DvvSet::sync);
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

  /** Decodes a sibling set from a peer; an empty field is an unknown key. */
  static DvvSet<StoredValue> decode(ByteString bytes) {
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
