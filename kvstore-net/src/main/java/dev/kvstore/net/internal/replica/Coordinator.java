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
import dev.kvstore.net.internal.transport.PeerException;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates client operations across the replicas of a key.
 *
 * <p>A write is coordinated by a replica of the key, because the new version's dot must come from a node
 * that knows the key's latest counter for itself: a node outside the preference list forwards the write to
 * the first node of the list that answers. The coordinator writes locally (durably), then sends the whole
 * new sibling set to the other N-1 replicas, which merge it by DVV sync; the write succeeds at W durable
 * acks, its own included. A read asks all N replicas and returns once R answered, merging their sets by DVV
 * sync. Too few answers in time is an {@link InsufficientReplicasException}.
 *
 * <p>Runs on whatever thread completes a future; blocking store calls go to the scheduler's executor.
 * Thread-safe.
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

  /** Coordinates a write here; the caller checked that this node is a replica of the key. */
  CompletableFuture<Context> coordinateHere(byte[] key, byte[] value, Context context, Quorum q) {
    return coordinateHere(key, value, context, q, false);
  }

  /**
   * Coordinates a write here; {@code onExecutor} says the caller already runs on the store executor (a
   * forwarded request), so the local write runs inline instead of costing another thread hand-off.
   */
  CompletableFuture<Context> coordinateHere(byte[] key, byte[] value, Context context, Quorum q, boolean onExecutor) {
    List<String> replicas = ring.preferenceList(key, q.n());
    String op = value == null ? "delete" : "put";
    return track(() -> (onExecutor
            ? CompletableFuture.completedFuture(replica.coordinateNow(key, value, context))
            : CompletableFuture.supplyAsync(() -> replica.coordinateNow(key, value, context), scheduler.executor()))
        .thenCompose(set -> replicate(op, key, set, replicas, q))
        .thenApply(set -> Context.of(replica.contextScope(), set.context())));
  }

  private CompletableFuture<DvvSet<StoredValue>> replicate(
      String op, byte[] key, DvvSet<StoredValue> set, List<String> replicas, Quorum q) {
    QuorumCall<String> call = new QuorumCall<>(op, q.w(), replicas.size(), scheduler, q.timeout());
    call.answer(localNode);
    Envelope.Builder body = Envelope.newBuilder().setReplicate(
        Replicate.newBuilder().setKey(ByteString.copyFrom(key)).setSiblings(ByteString.copyFrom(SiblingCodec.encode(set))));
    for (String node : replicas) {
      if (!node.equals(localNode)) {
        transport.request(node, body.clone(), q.timeout()).whenComplete((reply, failure) -> {
          if (failure == null) {
            call.answer(node);
          } else {
            log.debug("replicate to {} failed: {}", node, failure.toString());
            call.fail(failure);
          }
        });
      }
    }
    return call.result().thenApply(acks -> set);
  }

  private CompletableFuture<Context> forward(
      byte[] key, byte[] value, Context context, Quorum q, List<String> replicas, int index, Throwable last) {
    if (index >= replicas.size()) {
      InsufficientReplicasException e = new InsufficientReplicasException(value == null ? "delete" : "put", 0, q.w());
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
   * Reads the key from R of its N replicas and merges their sibling sets. Once every replica answered (or
   * the timeout passed), replicas whose set differs from the merge of all answers are sent the merge (read
   * repair), so a replica that missed writes catches up when its keys are read.
   */
  public CompletableFuture<DvvSet<StoredValue>> read(byte[] key, Quorum q) {
    return track(() -> readNow(key, q));
  }

  private CompletableFuture<DvvSet<StoredValue>> readNow(byte[] key, Quorum q) {
    List<String> replicas = ring.preferenceList(key, q.n());
    QuorumCall<DvvSet<StoredValue>> call = new QuorumCall<>("get", q.r(), replicas.size(), scheduler, q.timeout());
    ReadRepair repair = new ReadRepair(key, replicas.size());
    Envelope.Builder body = Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFrom(key)));
    for (String node : replicas) {
      if (node.equals(localNode)) {
        scheduler.executor().execute(() -> {
          DvvSet<StoredValue> set;
          try {
            set = replica.read(key);
          } catch (RuntimeException e) {
            call.fail(e);
            repair.answer(node, null);
            return;
          }
          call.answer(set);
          repair.answer(node, set);
        });
      } else {
        transport.request(node, body.clone(), q.timeout()).whenComplete((reply, failure) -> {
          DvvSet<StoredValue> set = null;
          try {
            if (failure == null) {
              set = decode(reply.getReadReply().getSiblings());
            }
          } catch (RuntimeException e) {
            failure = e;
          }
          if (set != null) {
            call.answer(set);
          } else {
            call.fail(failure);
          }
          repair.answer(node, set);
        });
      }
    }
    return call.result().thenApply(sets -> sets.stream().reduce(DvvSet.empty(), DvvSet::sync));
  }

  /** Collects every replica's answer to one read and repairs the stale ones once all are in. */
  private final class ReadRepair {
    private final byte[] key;
    private final java.util.Map<String, DvvSet<StoredValue>> answers = new java.util.LinkedHashMap<>();
    private int pending;

    ReadRepair(byte[] key, int replicas) {
      this.key = key;
      this.pending = replicas;
    }

    /** {@code set} null: the replica did not answer. Never throws: a repair is best effort. */
    void answer(String node, DvvSet<StoredValue> set) {
      try {
        collect(node, set);
      } catch (RuntimeException e) {
        log.debug("read repair skipped: {}", e.toString());
      }
    }

    private void collect(String node, DvvSet<StoredValue> set) {
      java.util.Map<String, DvvSet<StoredValue>> all;
      synchronized (this) {
        if (set != null) {
          answers.put(node, set);
        }
        if (--pending > 0) {
          return;
        }
        all = new java.util.LinkedHashMap<>(answers); // arrival order: deterministic in simulation
      }
      DvvSet<StoredValue> merged = all.values().stream().reduce(DvvSet.empty(), DvvSet::sync);
      all.forEach((stale, held) -> {
        if (!held.equals(merged)) {
          repair(stale, merged);
        }
      });
    }

    private void repair(String node, DvvSet<StoredValue> merged) {
      log.debug("read repair of {} on {}", java.util.HexFormat.of().formatHex(key), node);
      if (node.equals(localNode)) {
        scheduler.executor().execute(() -> replica.mergeNow(key, merged));
        return;
      }
      Envelope.Builder body = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
          .setKey(ByteString.copyFrom(key)).setSiblings(ByteString.copyFrom(SiblingCodec.encode(merged))));
      transport.request(node, body, java.time.Duration.ofSeconds(10)).whenComplete((r, failure) -> {
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
