package dev.kvstore.net.internal.antientropy;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.internal.DeadKeys;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.PurgeGate;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.antientropy.RangeTrees.ReplicaRange;
import dev.kvstore.net.internal.proto.DeadKey;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.PurgeReply;
import dev.kvstore.net.internal.proto.PurgeRequest;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the records of dead keys under the tombstone rule (docs/replication.md, "Tombstones"). After each
 * exchange that found buckets of a range in sync, one pass over the keys of the ranges so reported since the last
 * pass (the scan reads the whole store, ordered by key bytes, but decodes only their sets): the keys dead here (no
 * live value, every tombstone older than the bound) that a {@link TombstoneGate} says every replica holds are
 * removed here ({@link DeadKeys#remove}),
 * and then on the key's other replicas by a {@code PurgeRequest} carrying the set: each removes the key if its set
 * is still exactly that one. The replicas thus drop the key together, rather than each when its own knowledge
 * allows, which would let an exchange between one that dropped it and one that did not yet carry the tombstone
 * back and forth forever (whoever drops first makes the bucket differ for the others).
 *
 * <p>The bound covers every way an older version can still arrive: a hint (held at most the hint window, by the
 * holder's clock), a request in flight (a read repair, an exchange's merge), and the clock offset between the node
 * that stamped the tombstone and the one that wrote the hint.
 *
 * <p>Thread-safe: at most one pass runs at a time; an exchange that ends during a pass asks for one more.
 */
public final class TombstonePurger implements InSyncListener {
  private static final Logger log = LoggerFactory.getLogger(TombstonePurger.class);
  /** Keys per PurgeRequest. */
  static final int BATCH = 256;

  private final LocalStore store;
  private final DeadKeys deadKeys;
  private final RangeTrees trees;
  private final PurgeGate gate;
  private final Transport transport;
  private final Duration timeout;
  private final Duration bound;
  private final LongSupplier wallMillis;
  private final Executor executor;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final Set<String> pending = ConcurrentHashMap.newKeySet(); // ranges reported in sync since the last pass

  private TombstonePurger(LocalStore store, RangeTrees trees, PurgeGate gate, Transport transport, Duration timeout,
      Duration bound, LongSupplier wallMillis, Executor executor) {
    this.store = store;
    this.deadKeys = new DeadKeys(store);
    this.trees = trees;
    this.gate = gate;
    this.transport = transport;
    this.timeout = timeout;
    this.bound = bound;
    this.wallMillis = wallMillis;
    this.executor = executor;
  }

  /**
   * Makes {@code antiEntropy}'s exchanges feed a {@link SyncLedger} and run a pass over {@code store} after each
   * exchange: dead keys older than {@code bound} by {@code wallMillis} whose every replica is known to hold them.
   * Passes run on {@code executor}; purge requests go by {@code transport}, waiting up to {@code timeout}. Serve
   * the peers' purge requests with {@link #serving}.
   */
  public static TombstonePurger attach(AntiEntropy antiEntropy, LocalStore store, Transport transport,
      Duration timeout, Duration bound, LongSupplier wallMillis, Executor executor) {
    RangeTrees trees = antiEntropy.trees();
    SyncLedger ledger = new SyncLedger(trees.buckets());
    TombstonePurger purger = new TombstonePurger(store, trees, new TombstoneGate(trees, ledger), transport, timeout,
        bound, wallMillis, executor);
    antiEntropy.addInSyncListener(ledger);
    antiEntropy.addInSyncListener(purger);
    return purger;
  }

  /**
   * The age a tombstone must exceed before the rule may remove it: the hint window, plus twice the request
   * timeout (a request carrying an older version that started before the window ended), plus the largest clock
   * offset between nodes.
   */
  public static Duration bound(Duration hintWindow, Duration requestTimeout, Duration maxClockOffset) {
    return hintWindow.plus(requestTimeout.multipliedBy(2)).plus(maxClockOffset);
  }

  @Override
  public void inSync(String range, String peer, int[] buckets, long[] leaves) {
    if (buckets.length == 0) {
      return;
    }
    pending.add(range);
    again.set(true);
    startPass();
  }

  private void startPass() {
    if (running.compareAndSet(false, true)) {
      try {
        executor.execute(this::pass);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        running.set(false); // stopping
      }
    }
  }

  private void pass() {
    again.set(false);
    Set<String> ranges = new HashSet<>();
    for (String r : pending) {
      pending.remove(r);
      ranges.add(r);
    }
    purge(ranges).whenComplete((removed, failure) -> {
      if (failure != null && !(Futures.unwrap(failure) instanceof StoreClosedException)) {
        log.warn("tombstone purge failed; it runs again after the next exchange", failure);
      }
      running.set(false);
      if (again.get()) {
        startPass();
      }
    });
  }

  /**
   * One pass now: the scan and the removals here on the calling thread (the scan may read the disk), then the
   * purge requests to the keys' other replicas; completes with the records removed here once those requests
   * were answered (or failed, which only leaves a peer's copy to a later pass).
   */
  public CompletableFuture<Integer> purgeOnce() {
    return purge(null);
  }

  /** {@link #purgeOnce} over the keys of {@code ranges} only (null: every range). */
  private CompletableFuture<Integer> purge(Set<String> ranges) {
    try {
      long cutoff = wallMillis.getAsLong() - bound.toMillis();
      Map<ByteBuffer, DvvSet<StoredValue>> dead = deadKeys.find(cutoff, ranges == null ? key -> true : key -> {
        ReplicaRange r = trees.rangeOf(key);
        return r != null && ranges.contains(r.id());
      }, gate);
      if (dead.isEmpty()) {
        return CompletableFuture.completedFuture(0);
      }
      return deadKeys.remove(dead, cutoff, executor).thenCompose(removed -> tellPeers(dead).thenApply(v -> removed));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Void> tellPeers(Map<ByteBuffer, DvvSet<StoredValue>> dead) {
    Map<String, List<DeadKey>> byPeer = new LinkedHashMap<>();
    dead.forEach((key, set) -> {
      byte[] k = new byte[key.remaining()];
      key.duplicate().get(k);
      DeadKey dk = DeadKey.newBuilder().setKey(ByteString.copyFrom(k))
          .setSiblings(ByteString.copyFrom(SiblingCodec.encode(set))).build();
      ReplicaRange range = trees.rangeOf(k);
      for (String peer : range == null ? List.<String>of() : range.peers()) {
        byPeer.computeIfAbsent(peer, p -> new ArrayList<>()).add(dk);
      }
    });
    List<CompletableFuture<?>> sent = new ArrayList<>();
    byPeer.forEach((peer, keys) -> {
      for (int from = 0; from < keys.size(); from += BATCH) {
        PurgeRequest request = PurgeRequest.newBuilder()
            .addAllKeys(keys.subList(from, Math.min(keys.size(), from + BATCH))).build();
        sent.add(transport.request(peer, Envelope.newBuilder().setPurgeRequest(request), timeout)
            .handle((reply, failure) -> {
              if (failure != null) {
                log.debug("purge request to {} failed ({}); a later pass asks again", peer, failure.toString());
              }
              return null;
            }));
      }
    });
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /** A handler that answers purge requests and hands every other request to {@code delegate}. */
  public RequestHandler serving(RequestHandler delegate) {
    return request -> request.getBodyCase() == Envelope.BodyCase.PURGE_REQUEST
        ? purge(request.getSender(), request.getPurgeRequest())
        : delegate.handle(request);
  }

  /**
   * Checks every key of a peer's purge request (a key this node and the sender both replicate, a well-formed set)
   * before it removes any, then removes those whose set here is exactly the one sent and dead by this node's clock.
   */
  private CompletableFuture<Envelope.Builder> purge(String sender, PurgeRequest request) {
    Map<ByteBuffer, DvvSet<StoredValue>> expected = new LinkedHashMap<>();
    for (DeadKey dk : request.getKeysList()) {
      byte[] key = dk.getKey().toByteArray();
      store.checks().key(key);
      ReplicaRange range = trees.rangeOf(key);
      if (range == null || !range.peers().contains(sender)) {
        throw new InvalidRequestException("node " + sender + " asked to purge a key that it and this node do not "
            + "both replicate: " + java.util.HexFormat.of().formatHex(key));
      }
      DvvSet<StoredValue> set;
      try {
        set = SiblingCodec.decode(dk.getSiblings().toByteArray());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("a peer sent a malformed sibling set to purge: " + e.getMessage());
      }
      expected.put(ByteBuffer.wrap(key), set);
    }
    long cutoff = wallMillis.getAsLong() - bound.toMillis();
    return CompletableFuture.supplyAsync(() -> deadKeys.remove(expected, cutoff, executor), executor)
        .thenCompose(f -> f)
        .thenApply(removed -> Envelope.newBuilder().setPurgeReply(PurgeReply.newBuilder().setRemoved(removed)));
  }
}
