package dev.kvstore.net.internal.antientropy;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.antientropy.PeerTrees.Key;
import dev.kvstore.net.internal.proto.BucketKeysReply;
import dev.kvstore.net.internal.proto.BucketKeysRequest;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.KeyHash;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.proto.TreeReply;
import dev.kvstore.net.internal.proto.TreeRequest;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-entropy exchanges of one node, on demand: {@link #exchange(String)} compares this node's tree for a peer
 * with the peer's tree for this node, leaf by leaf; fetches the keys and hashes of the differing buckets; and for
 * every key whose hashes differ, reads the peer's set ({@code Read}) and merges it here, then sends the merged set
 * to the peer ({@code Replicate}) unless it hashes the same as the peer's (the peer's set covered this node's); a
 * key the peer lacks is sent without a read. Both sides thus take the other's set by DVV sync through the usual
 * write path. {@link #serving(RequestHandler)} answers the peers' tree and bucket requests.
 *
 * <p>The keys of one exchange move {@value #BATCH} at a time. Thread-safe: an exchange is a chain of futures; its steps run where the transport completes them, and
 * store reads and merges on the scheduler's executor.
 */
public final class AntiEntropy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
  /** Keys moved at once in one exchange: enough to fill a round trip, few enough not to flood a peer's queues. */
  static final int BATCH = 64;

  private final Coordinator coordinator;
  private final PeerTrees trees;
  private final Transport transport;
  private final Duration timeout;
  private final Object timerLock = new Object();
  private Cancellable timer; // guarded by timerLock
  private boolean closed; // guarded by timerLock
  private int nextPeer; // guarded by timerLock
  private final List<InSyncListener> inSyncListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * What one exchange with one peer did.
   *
   * @param peer the peer
   * @param bucketsDiffering leaves that differed between the two trees
   * @param keysCompared keys found in those buckets on either side
   * @param keysSent keys whose set this node sent to the peer (the peer lacked the key, or its set did not cover
 *     this node's)
   * @param keysReceived keys whose set this node read from the peer and merged here
   */
  public record Exchange(String peer, int bucketsDiffering, long keysCompared, long keysSent, long keysReceived) {}

  /** Exchanges for {@code coordinator}'s replica with trees {@code trees}, requests waiting up to {@code timeout}. */
  public AntiEntropy(Coordinator coordinator, PeerTrees trees, Transport transport, Duration timeout) {
    this.coordinator = coordinator;
    this.trees = trees;
    this.transport = transport;
    this.timeout = timeout;
  }

  /**
   * Starts periodic exchanges: one exchange with the next peer in ring order, then the next one after a pause
   * drawn uniformly from half to one and a half {@code interval} by {@code random} (so nodes started together
   * drift apart), timed by the coordinator's scheduler. A failed exchange is logged and the next peer is tried
   * at the next turn. Call once; {@link #close()} stops them.
   *
   * @throws IllegalArgumentException if {@code interval} is shorter than 2 ns
   */
  public void startPeriodic(Duration interval, RandomGenerator random) {
    if (interval.toNanos() < 2) {
      throw new IllegalArgumentException("the anti-entropy interval must be positive, got " + interval);
    }
    if (trees.peers().isEmpty()) {
      return; // a cluster of one node
    }
    scheduleNext(interval, random);
  }

  private void scheduleNext(Duration interval, RandomGenerator random) {
    long half = interval.toNanos() / 2;
    Duration pause = Duration.ofNanos(half + random.nextLong(2 * half));
    synchronized (timerLock) {
      if (!closed) {
        timer = coordinator.scheduler().schedule(pause, () -> periodic(interval, random));
      }
    }
  }

  private void periodic(Duration interval, RandomGenerator random) {
    List<String> peers = List.copyOf(trees.peers());
    String peer;
    synchronized (timerLock) {
      if (closed) {
        return;
      }
      peer = peers.get(nextPeer++ % peers.size());
    }
    exchange(peer).whenComplete((e, failure) -> {
      if (failure != null) {
        log.debug("periodic anti-entropy with {} failed: {}", peer, failure.toString());
      }
      scheduleNext(interval, random);
    });
  }

  /** Stops periodic exchanges; an exchange under way completes. Idempotent. */
  @Override
  public void close() {
    synchronized (timerLock) {
      closed = true;
      if (timer != null) {
        timer.cancel();
      }
    }
  }

  /** Tells {@code listener} the buckets each exchange this node starts finds equal (the tombstone rule's input). */
  public void addInSyncListener(InSyncListener listener) {
    inSyncListeners.add(listener);
  }

  /** The trees this node keeps. */
  public PeerTrees trees() {
    return trees;
  }

  /** A handler that answers anti-entropy requests and hands every other request to {@code delegate}. */
  public RequestHandler serving(RequestHandler delegate) {
    return request -> switch (request.getBodyCase()) {
      case TREE_REQUEST -> CompletableFuture.completedFuture(treeReply(request.getSender()));
      case BUCKET_KEYS_REQUEST -> CompletableFuture.supplyAsync(
          () -> bucketKeysReply(request.getSender(), request.getBucketKeysRequest()), executor());
      default -> delegate.handle(request);
    };
  }

  private Envelope.Builder treeReply(String sender) {
    checkPeer(sender);
    long[] leaves = trees.leaves(sender);
    TreeReply.Builder reply = TreeReply.newBuilder();
    for (long leaf : leaves) {
      reply.addLeaves(leaf);
    }
    return Envelope.newBuilder().setTreeReply(reply);
  }

  private Envelope.Builder bucketKeysReply(String sender, BucketKeysRequest request) {
    checkPeer(sender);
    int[] buckets = request.getBucketsList().stream().mapToInt(Integer::intValue).toArray();
    for (int b : buckets) {
      if (b < 0 || b >= trees.buckets()) {
        throw new InvalidRequestException("bucket " + b + " is out of range 0.." + (trees.buckets() - 1));
      }
    }
    BucketKeysReply.Builder reply = BucketKeysReply.newBuilder();
    trees.keysIn(sender, buckets).forEach((k, h) ->
        reply.addKeys(KeyHash.newBuilder().setKey(ByteString.copyFrom(k.bytes())).setHash(h)));
    return Envelope.newBuilder().setBucketKeysReply(reply);
  }

  private void checkPeer(String sender) {
    if (!trees.hasPeer(sender)) {
      throw new InvalidRequestException("node " + coordinator.localNode() + " keeps no anti-entropy tree for '"
          + sender + "', which is not a peer in its ring");
    }
  }

  /**
   * What one round of exchanges with every peer did.
   *
   * @param exchanges the exchanges that completed, in peer order
   * @param failed the peers whose exchange failed, with why (unreachable, timed out, refused)
   */
  public record Round(List<Exchange> exchanges, Map<String, String> failed) {
    /** Copies its arguments. */
    public Round {
      exchanges = List.copyOf(exchanges);
      failed = Map.copyOf(failed);
    }
  }

  /**
   * Runs one exchange with each peer, one after the other; a peer whose exchange fails is recorded and the round
   * goes on with the next one.
   */
  public CompletableFuture<Round> exchangeWithAll() {
    List<Exchange> done = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String peer : trees.peers()) {
      chain = chain.thenCompose(v -> exchange(peer).handle((e, failure) -> {
        if (failure == null) {
          done.add(e);
        } else {
          Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          log.warn("anti-entropy with {} failed: {}", peer, cause.toString());
          failed.put(peer, cause.toString());
        }
        return null;
      }));
    }
    return chain.thenApply(v -> new Round(done, failed));
  }

  /**
   * Runs one exchange with {@code peer}.
   *
   * @throws IllegalArgumentException if {@code peer} is not a peer of this node
   */
  public CompletableFuture<Exchange> exchange(String peer) {
    if (!trees.hasPeer(peer)) {
      throw new IllegalArgumentException("node " + peer + " is not a peer of node " + coordinator.localNode());
    }
    Envelope.Builder ask = Envelope.newBuilder().setTreeRequest(TreeRequest.getDefaultInstance());
    return transport.request(peer, ask, timeout).thenCompose(reply -> {
      long[] theirs = reply.getTreeReply().getLeavesList().stream().mapToLong(Long::longValue).toArray();
      long[] mine = trees.leaves(peer);
      int[] differing = HashTree.differing(mine, theirs);
      reportInSync(peer, mine, differing);
      if (differing.length == 0) {
        return CompletableFuture.completedFuture(new Exchange(peer, 0, 0, 0, 0));
      }
      BucketKeysRequest.Builder keys = BucketKeysRequest.newBuilder();
      for (int b : differing) {
        keys.addBuckets(b);
      }
      return transport.request(peer, Envelope.newBuilder().setBucketKeysRequest(keys), timeout)
          .thenCompose(r -> reconcile(peer, differing, r.getBucketKeysReply()));
    });
  }

  private void reportInSync(String peer, long[] mine, int[] differing) {
    if (inSyncListeners.isEmpty()) {
      return;
    }
    int[] equal = new int[mine.length - differing.length];
    long[] leaves = new long[equal.length];
    for (int b = 0, d = 0, e = 0; b < mine.length; b++) {
      if (d < differing.length && differing[d] == b) {
        d++;
      } else {
        equal[e] = b;
        leaves[e++] = mine[b];
      }
    }
    for (InSyncListener l : inSyncListeners) {
      try {
        l.inSync(peer, equal, leaves);
      } catch (RuntimeException e) {
        log.warn("in-sync listener {} failed", l, e);
      }
    }
  }

  private CompletableFuture<Exchange> reconcile(String peer, int[] buckets, BucketKeysReply reply) {
    Map<Key, Long> mine = trees.keysIn(peer, buckets);
    Map<Key, Long> theirs = new LinkedHashMap<>();
    for (KeyHash kh : reply.getKeysList()) {
      byte[] key = kh.getKey().toByteArray();
      coordinator.replica().checks().key(key); // a peer's key is checked like a client's before it is merged
      theirs.put(new Key(key), kh.getHash());
    }
    Set<Key> all = new LinkedHashSet<>(mine.keySet());
    all.addAll(theirs.keySet());
    AtomicLong sent = new AtomicLong();
    AtomicLong received = new AtomicLong();
    List<java.util.function.Supplier<CompletableFuture<?>>> steps = new ArrayList<>();
    for (Key k : all) {
      Long m = mine.get(k);
      Long t = theirs.get(k);
      if (m != null && m.equals(t)) {
        continue;
      }
      byte[] key = k.bytes();
      if (t == null) {
        sent.incrementAndGet(); // the peer lacks the key
        steps.add(() -> CompletableFuture.supplyAsync(() -> coordinator.replica().read(key), executor())
            .thenCompose(set -> send(peer, key, set)));
        continue;
      }
      received.incrementAndGet();
      steps.add(() -> receive(peer, key).thenCompose(merged -> {
        if (PeerTrees.hash(key, SiblingCodec.encode(merged)) == t) {
          return CompletableFuture.completedFuture(null); // the peer's set covered ours
        }
        sent.incrementAndGet();
        return send(peer, key, merged);
      }));
    }
    return inBatches(steps).thenApply(v -> {
      Exchange e = new Exchange(peer, buckets.length, all.size(), sent.get(), received.get());
      log.info("anti-entropy with {}: {} buckets differed, {} keys compared, {} sent, {} received", peer,
          e.bucketsDiffering(), e.keysCompared(), e.keysSent(), e.keysReceived());
      return e;
    });
  }

  /** Runs {@code steps} {@value #BATCH} at a time, a batch once the previous one has completed. */
  private static CompletableFuture<Void> inBatches(List<java.util.function.Supplier<CompletableFuture<?>>> steps) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int from = 0; from < steps.size(); from += BATCH) {
      List<java.util.function.Supplier<CompletableFuture<?>>> batch =
          steps.subList(from, Math.min(steps.size(), from + BATCH));
      chain = chain.thenCompose(v -> CompletableFuture.allOf(
          batch.stream().map(java.util.function.Supplier::get).toArray(CompletableFuture[]::new)));
    }
    return chain;
  }

  /** Reads the peer's set of {@code key} and merges it here; completes with the merged set. */
  private CompletableFuture<DvvSet<StoredValue>> receive(String peer, byte[] key) {
    Envelope.Builder read = Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFrom(key)));
    return transport.request(peer, read, timeout).thenCompose(reply -> {
      DvvSet<StoredValue> remote = coordinator.clockGuard()
          .check(decode(reply.getReadReply().getSiblings()), peer, "anti-entropy read");
      Replica replica = coordinator.replica();
      Executor pool = executor();
      return CompletableFuture.supplyAsync(() -> replica.merge(key, remote, pool), pool).thenCompose(f -> f);
    });
  }

  /** Sends {@code set}, this node's set of {@code key}, to the peer, which merges it. */
  private CompletableFuture<?> send(String peer, byte[] key, DvvSet<StoredValue> set) {
    return transport.request(peer, Envelope.newBuilder().setReplicate(Replicate.newBuilder()
        .setKey(ByteString.copyFrom(key)).setSiblings(ByteString.copyFrom(SiblingCodec.encode(set)))), timeout);
  }

  private Executor executor() {
    Scheduler scheduler = coordinator.scheduler();
    return scheduler.executor();
  }

  private static DvvSet<StoredValue> decode(ByteString bytes) {
    if (bytes.isEmpty()) {
      return DvvSet.empty();
    }
    try {
      return SiblingCodec.decode(bytes.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("a peer sent a malformed sibling set: " + e.getMessage());
    }
  }
}
