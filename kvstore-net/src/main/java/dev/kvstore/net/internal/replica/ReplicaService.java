package dev.kvstore.net.internal.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.kvstore.core.Context;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.OperationId;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Forward;
import dev.kvstore.net.internal.proto.Hint;
import dev.kvstore.net.internal.proto.HintAck;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.proto.ReadReply;
import dev.kvstore.net.internal.proto.ReplicateAck;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Serves peers' requests on this node: Replicate (merge a sibling set, ack once durable), Read (return the
 * raw set) and Forward (coordinate a client write here, or a quorum read for a remote client). Called by
 * the transport on the event loop that read the request; it never blocks there: a key whose set is in memory
 * is served on the loop (a merge's ack completes back on it with the rest of its log group), one that is not
 * goes to the worker pool for the disk read. Thread-safe.
 */
public final class ReplicaService implements RequestHandler {
  private final String localNode;
  private final Coordinator coordinator;
  private final Quorum defaults;

  /** Serves requests for {@code coordinator}'s replica; forwarded writes use {@code defaults} where they set 0. */
  public ReplicaService(String localNode, Coordinator coordinator, Quorum defaults) {
    this.localNode = localNode;
    this.coordinator = coordinator;
    this.defaults = defaults;
  }

  @Override
  public CompletableFuture<Envelope.Builder> handle(Envelope request) {
    Replica replica = coordinator.replica();
    switch (request.getBodyCase()) {
      case REPLICATE -> {
        byte[] key = request.getReplicate().getKey().toByteArray();
        replica.checks().key(key);
        var remote = coordinator.clockGuard().check(
            Coordinator.decode(request.getReplicate().getSiblings()), request.getSender(), "Replicate");
        return coordinator.mergeHere(key, remote, request.getReplicate().getSpare())
            .thenApply(set -> Envelope.newBuilder().setReplicateAck(ReplicateAck.getDefaultInstance()));
      }
      case READ -> {
        byte[] key = request.getRead().getKey().toByteArray();
        replica.checks().key(key);
        byte[] stored = replica.readEncodedCached(key); // the stored bytes go out as they are
        if (stored != Replica.NOT_IN_MEMORY) {
          ByteString siblings = stored == null ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(stored);
          return CompletableFuture.completedFuture(
              Envelope.newBuilder().setReadReply(ReadReply.newBuilder().setSiblings(siblings)));
        }
        // An unknown key is empty bytes, as from memory above, so that replicas that agree send the same bytes.
        return CompletableFuture.supplyAsync(() -> replica.read(key), scheduler().executor())
            .thenApply(s -> Envelope.newBuilder().setReadReply(ReadReply.newBuilder().setSiblings(
                s.isEmpty() && s.context().isEmpty() ? ByteString.EMPTY : ByteString.copyFrom(SiblingCodec.encode(s)))));
      }
      case FORWARD -> {
        return forwarded(request.getForward());
      }
      case HINT -> {
        return hinted(request.getHint());
      }
      default -> throw new InvalidRequestException(
          "node " + localNode + " does not serve " + request.getBodyCase() + " requests");
    }
  }

  private Scheduler scheduler() {
    return coordinator.scheduler();
  }

  /** Holds a hint for another node (merged into it directly when this node is the target). */
  private CompletableFuture<Envelope.Builder> hinted(Hint h) {
    byte[] key = h.getKey().toByteArray();
    coordinator.replica().checks().key(key);
    DvvSet<StoredValue> set = Coordinator.decode(h.getSiblings());
    String target = h.getTarget();
    CompletableFuture<?> held;
    if (target.equals(localNode)) {
      held = coordinator.mergeHere(key, set);
    } else if (!coordinator.ring().nodes().contains(target)) {
      throw new InvalidRequestException("node " + localNode + " holds no hints for '" + target
          + "', which is not a node of its ring");
    } else if (coordinator.hints() == null) {
      throw new InvalidRequestException("node " + localNode + " holds no hints (hinted handoff is off)");
    } else {
      held = coordinator.hints().hold(target, key, set, scheduler());
    }
    return held.thenApply(v -> Envelope.newBuilder().setHintAck(HintAck.getDefaultInstance()));
  }

  private CompletableFuture<Envelope.Builder> forwarded(Forward f) {
    byte[] key = f.getKey().toByteArray();
    Replica replica = coordinator.replica();
    replica.checks().key(key);
    if (f.getOp() == dev.kvstore.net.internal.proto.ClientOp.GET) {
      Quorum q = defaults.with(0, Math.min(f.getR(), defaults.n())).withTimeout(Duration.ofMillis(f.getTimeoutMillis()));
      return coordinator.read(key, q).thenApply(set -> Envelope.newBuilder().setForwardReply(
          Coordinator.reply(Context.of(replica.contextScope(), set.context()))
              .setSiblings(com.google.protobuf.ByteString.copyFrom(dev.kvstore.core.internal.SiblingCodec.encode(set)))));
    }
    if (!coordinator.ring().preferenceList(key, defaults.n()).contains(localNode)) {
      throw new InvalidRequestException("node " + localNode + " is not a replica of the forwarded key; ring views differ");
    }
    Context context = f.getHasContext() ? Context.fromBytes(f.getContext().toByteArray()) : null;
    if (context != null) {
      replica.checks().context(context);
    }
    byte[] value = switch (f.getOp()) {
      case PUT -> {
        byte[] v = f.getValue().toByteArray();
        replica.checks().value(v);
        yield v;
      }
      case DELETE -> null;
      default -> throw new InvalidRequestException("a forward must be a PUT or DELETE, got " + f.getOp());
    };
    Quorum q = defaults.with(Math.min(f.getW(), defaults.n()), Math.min(f.getR(), defaults.n()))
        .withTimeout(Duration.ofMillis(f.getTimeoutMillis()));
    return coordinator.coordinateHere(key, value, context, operationId(f), f.getRetry(), q)
        .thenApply(ctx -> Envelope.newBuilder().setForwardReply(Coordinator.reply(ctx)));
  }

  /** The forward's operation id, null when it has none. */
  private static OperationId operationId(Forward f) {
    if (f.getOpClient().isEmpty()) {
      return null;
    }
    try {
      return new OperationId(f.getOpClient(), f.getOpSequence());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("a forward has a malformed operation id: " + e.getMessage());
    }
  }
}
