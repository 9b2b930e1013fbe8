package dev.kvstore.net.internal.antientropy;

import static dev.kvstore.net.internal.replica.Coordinator.decode;

import com.google.protobuf.ByteString;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.net.internal.antientropy.RangeTrees.ReplicaRange;
import dev.kvstore.net.internal.proto.AeKeysReply;
import dev.kvstore.net.internal.proto.AeKeysRequest;
import dev.kvstore.net.internal.proto.AeLeavesReply;
import dev.kvstore.net.internal.proto.AeRootsReply;
import dev.kvstore.net.internal.proto.AeRootsRequest;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.KeyHash;
import dev.kvstore.net.internal.proto.RepairReply;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-entropy of one node: exchanges of its {@link RangeTrees} with the other replicas of each range, periodic and
 * on demand, and the answers to its peers' exchanges (docs/replication.md, "Anti-entropy").
 *
 * <p>An exchange with a peer over some ranges ({@link PeerExchange}) compares roots first, then the leaves of the
 * ranges whose roots differ, then the keys of the differing buckets, and moves each key whose hashes differ: both
 * sides take the other's set by DVV sync through the usual write path. A periodic turn exchanges each range with one
 * other replica of it (the next one in turn), at most {@link Pacing#bucketsPerExchange()} differing buckets per
 * range, at {@link Pacing#keysPerSecond()}; turns follow each other after a pause drawn from half to one and a half
 * the interval. {@link #exchangeWithAll()} (repair on demand) exchanges every range with every other replica, all
 * differing buckets.
 *
 * <p>Whenever an exchange finds this node's tree of a range equal to the peer's, it tells the {@link SyncListener}s
 * and {@link #lastInSync} remembers it: every change applied to either replica of the range before that time is
 * held by both. Finer, the {@link InSyncListener}s hear which buckets it found equal and with which leaf values
 * (every bucket when the roots matched): the tombstone rule builds on that (docs/replication.md, "Tombstones").
 *
 * <p>Thread-safe: an exchange is a chain of futures whose steps run where the transport completes them; store
 * scans, reads and merges run on the scheduler's executor.
 */
public final class AntiEntropy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
  /** A peer's key listing stops adding buckets past this many bytes, well under a frame's limit. */
  static final long KEYS_REPLY_BYTES = 1 << 20;

  private final Coordinator coordinator;
  private final RangeTrees trees;
  private final Transport transport;
  private final Duration timeout;
  private final Pacing pacing;
  private final InstantSource clock;
  private final Map<String, RangeStats> stats = new LinkedHashMap<>(); // filled once, then read only
  private final Map<String, Instant> inSync = new ConcurrentHashMap<>(); // "range|peer" -> last time found equal
  private final List<SyncListener> syncListeners = new CopyOnWriteArrayList<>();
  private final List<InSyncListener> inSyncListeners = new CopyOnWriteArrayList<>();
  private final Object timerLock = new Object();
  private Cancellable timer; // guarded by timerLock
  private boolean closed; // guarded by timerLock
  private long turn; // guarded by timerLock

  /** Told each time an exchange finds this node's tree of a range equal to a peer's. */
  @FunctionalInterface
  public interface SyncListener {
    /**
     * This node's tree of range {@code range} equalled peer {@code peer}'s when compared after {@code asOf}: every
     * change either of them applied to a key of the range before {@code asOf} (this node's clock) is held by both,
     * or superseded there. Runs on a transport or executor thread: keep it short.
     */
    void inSync(String range, String peer, Instant asOf);
  }

  /**
   * What one exchange of one range with one peer did.
   *
   * @param range the range's id
   * @param peer the peer
   * @param bucketsDiffering leaves that differed between the two trees (0 when the roots were equal)
   * @param keysCompared keys found in the buckets handled, on either side
   * @param keysSent keys whose set this node sent to the peer (the peer lacked the key, or its set did not cover
   *     this node's)
   * @param keysReceived keys whose set this node read from the peer and merged here
   * @param bytesSent bytes of the requests and sets this node sent for the range
   * @param inSync whether the trees were equal at the end (at the start, or after the keys moved)
   */
  public record Exchange(String range, String peer, int bucketsDiffering, long keysCompared, long keysSent,
      long keysReceived, long bytesSent, boolean inSync) {}

  /**
   * What one round of exchanges did.
   *
   * @param exchanges the exchanges that completed
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
   * Anti-entropy counters of one range since the node started.
   *
   * @param range the range's id
   * @param lastPeer the peer of the last exchange, empty when none yet
   * @param lastExchangeMillis when the last exchange ended, milliseconds since the epoch, 0 when none yet
   * @param keysRepaired keys sent plus keys received
   * @param bytesSent bytes sent in exchanges of the range, as requester and as replier
   * @param inSync whether the last exchange ended with equal trees
   */
  public record RangeState(String range, String lastPeer, long lastExchangeMillis, long keysRepaired,
      long bytesSent, boolean inSync) {}

  /**
   * Exchanges for {@code coordinator}'s replica with trees {@code trees}: requests wait up to {@code timeout}, work
   * is paced by {@code pacing}, and times are read from {@code clock}.
   */
  public AntiEntropy(Coordinator coordinator, RangeTrees trees, Transport transport, Duration timeout, Pacing pacing,
      InstantSource clock) {
    this.coordinator = coordinator;
    this.trees = trees;
    this.transport = transport;
    this.timeout = timeout;
    this.pacing = pacing;
    this.clock = clock;
    for (ReplicaRange r : trees.ranges()) {
      stats.put(r.id(), new RangeStats(r.id()));
    }
  }

  /** The trees this node keeps. */
  public RangeTrees trees() {
    return trees;
  }

  /** Adds a listener told of every range found equal to a peer's. */
  public void addSyncListener(SyncListener listener) {
    syncListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Adds a listener told of the buckets each exchange this node starts finds equal, with their leaves (the tombstone
   * rule's input).
   */
  public void addInSyncListener(InSyncListener listener) {
    inSyncListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /**
   * The last time an exchange found this node's tree of {@code range} equal to {@code peer}'s (see {@link
   * SyncListener#inSync}), or empty when none did since the node started.
   */
  public Optional<Instant> lastInSync(String range, String peer) {
    return Optional.ofNullable(inSync.get(range + "|" + peer));
  }

  /** The counters of every range, in range order. */
  public List<RangeState> rangeStates() {
    return stats.values().stream().map(RangeStats::snapshot).toList();
  }

  // ---- periodic ----

  /**
   * Starts periodic turns: each exchanges every range with one other replica of it, the next one at each turn;
   * the next turn follows after a pause drawn uniformly from half to one and a half {@code interval} by {@code
   * random} (so nodes started together drift apart), timed by the coordinator's scheduler. A failed exchange is
   * logged and retried at a later turn. Call once; {@link #close()} stops them.
   *
   * @throws IllegalArgumentException if {@code interval} is shorter than 2 ns
   */
  public void startPeriodic(Duration interval, RandomGenerator random) {
    if (interval.toNanos() < 2) {
      throw new IllegalArgumentException("the anti-entropy interval must be positive, got " + interval);
    }
    if (trees.ranges().stream().allMatch(r -> r.peers().isEmpty())) {
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
    long t;
    synchronized (timerLock) {
      if (closed) {
        return;
      }
      t = turn++;
    }
    Map<String, List<ReplicaRange>> byPeer = new LinkedHashMap<>();
    for (ReplicaRange r : trees.ranges()) {
      if (!r.peers().isEmpty()) {
        byPeer.computeIfAbsent(r.peers().get((int) (t % r.peers().size())), p -> new ArrayList<>()).add(r);
      }
    }
    run(byPeer, pacing.bucketsPerExchange(), t).whenComplete((round, failure) -> {
      if (failure != null) {
        log.warn("periodic anti-entropy turn failed", failure);
      }
      scheduleNext(interval, random);
    });
  }

  /** Stops periodic turns; an exchange under way completes. Idempotent. */
  @Override
  public void close() {
    synchronized (timerLock) {
      closed = true;
      if (timer != null) {
        timer.cancel();
      }
    }
  }

  // ---- on demand ----

  /**
   * Runs one exchange with each peer over every range both hold, one peer after the other, handling every
   * differing bucket; a peer whose exchange fails is recorded and the round goes on with the next one.
   */
  public CompletableFuture<Round> exchangeWithAll() {
    Map<String, List<ReplicaRange>> byPeer = new LinkedHashMap<>();
    for (String peer : new TreeSet<>(trees.ranges().stream().flatMap(r -> r.peers().stream()).toList())) {
      byPeer.put(peer, trees.ranges().stream().filter(r -> r.peers().contains(peer)).toList());
    }
    return run(byPeer, Integer.MAX_VALUE, 0);
  }

  /**
   * Runs one exchange with {@code peer} over every range both hold, handling every differing bucket.
   *
   * @throws IllegalArgumentException if {@code peer} shares no range with this node
   */
  public CompletableFuture<List<Exchange>> exchange(String peer) {
    List<ReplicaRange> shared = trees.ranges().stream().filter(r -> r.peers().contains(peer)).toList();
    if (shared.isEmpty()) {
      throw new IllegalArgumentException("node " + peer + " shares no replica range with node "
          + coordinator.localNode());
    }
    return session(peer, shared, Integer.MAX_VALUE, 0).run();
  }

  private CompletableFuture<Round> run(Map<String, List<ReplicaRange>> byPeer, int bucketLimit, long turn) {
    List<Exchange> done = new CopyOnWriteArrayList<>();
    Map<String, String> failed = new ConcurrentHashMap<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Map.Entry<String, List<ReplicaRange>> e : byPeer.entrySet()) {
      String peer = e.getKey();
      chain = chain.thenCompose(v -> session(peer, e.getValue(), bucketLimit, turn).run().handle((list, failure) -> {
        if (failure == null) {
          done.addAll(list);
        } else {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          log.warn("anti-entropy with {} failed: {}", peer, cause.toString());
          // What a user reads in RepairReport.peersFailed: the reason, not our internal exception's class name.
          failed.put(peer, cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        }
        return null;
      }));
    }
    return chain.thenApply(v -> new Round(done, failed));
  }

  private PeerExchange session(String peer, List<ReplicaRange> ranges, int bucketLimit, long turn) {
    return new PeerExchange(this, coordinator, trees, transport, timeout, pacing, peer, ranges, bucketLimit, turn);
  }

  /** Called by an exchange when it is over for one range. */
  void finished(Exchange e) {
    stats.get(e.range()).exchanged(e.peer(), clock.millis(), e.keysSent() + e.keysReceived(), e.inSync());
    stats.get(e.range()).sent(e.bytesSent());
  }

  /** Called by an exchange that found range {@code range} equal on both sides after {@code asOf}. */
  void foundInSync(String range, String peer, Instant asOf) {
    inSync.merge(range + "|" + peer, asOf, (a, b) -> a.isAfter(b) ? a : b);
    for (SyncListener l : syncListeners) {
      try {
        l.inSync(range, peer, asOf);
      } catch (RuntimeException e) {
        log.warn("anti-entropy sync listener {} failed", l, e);
      }
    }
  }

  /** Called by an exchange that found buckets {@code buckets} of {@code range} equal, holding {@code leaves}. */
  void foundBucketsInSync(String range, String peer, int[] buckets, long[] leaves) {
    if (buckets.length == 0) {
      return;
    }
    for (InSyncListener l : inSyncListeners) {
      try {
        l.inSync(range, peer, buckets, leaves);
      } catch (RuntimeException e) {
        log.warn("anti-entropy in-sync listener {} failed", l, e);
      }
    }
  }

  /** Now, by this node's clock. */
  Instant now() {
    return clock.instant();
  }

  // ---- serving ----

  /**
   * A handler that answers anti-entropy requests (and client repair requests) and hands every other request to
   * {@code delegate}.
   */
  public RequestHandler serving(RequestHandler delegate) {
    return request -> switch (request.getBodyCase()) {
      case AE_ROOTS_REQUEST -> CompletableFuture.completedFuture(roots(request.getSender(),
          request.getAeRootsRequest()));
      case AE_LEAVES_REQUEST -> CompletableFuture.completedFuture(leaves(request.getSender(),
          request.getAeLeavesRequest().getRange()));
      case AE_KEYS_REQUEST -> CompletableFuture.supplyAsync(
          () -> keys(request.getSender(), request.getAeKeysRequest()), coordinator.scheduler().executor());
      case REPAIR_REQUEST -> exchangeWithAll().thenApply(AntiEntropy::repairReply);
      default -> delegate.handle(request);
    };
  }

  /**
   * A handler for a node without anti-entropy: a repair request gets a clear refusal, every other request goes to
   * {@code delegate}.
   */
  public static RequestHandler refusingRepair(String nodeId, RequestHandler delegate) {
    return request -> {
      if (request.hasRepairRequest()) {
        return CompletableFuture.failedFuture(new InvalidRequestException("node " + nodeId + " keeps no "
            + "anti-entropy trees (started with antiEntropy(false)); nothing to repair with"));
      }
      return delegate.handle(request);
    };
  }

  private Envelope.Builder roots(String sender, AeRootsRequest request) {
    AeRootsReply.Builder reply = AeRootsReply.newBuilder();
    for (String range : request.getRangesList()) {
      checkShared(range, sender);
      reply.addRoots(trees.root(range));
    }
    if (request.getRangesCount() > 0) {
      long share = reply.build().getSerializedSize() / request.getRangesCount();
      request.getRangesList().forEach(r -> stats.get(r).sent(share));
    }
    return Envelope.newBuilder().setAeRootsReply(reply);
  }

  private Envelope.Builder leaves(String sender, String range) {
    checkShared(range, sender);
    AeLeavesReply.Builder reply = AeLeavesReply.newBuilder();
    for (long leaf : trees.leaves(range)) {
      reply.addLeaves(leaf);
    }
    stats.get(range).sent(reply.build().getSerializedSize());
    return Envelope.newBuilder().setAeLeavesReply(reply);
  }

  private Envelope.Builder keys(String sender, AeKeysRequest request) {
    String range = request.getRange();
    checkShared(range, sender);
    int[] buckets = request.getBucketsList().stream().mapToInt(Integer::intValue).toArray();
    if (buckets.length == 0 || java.util.Arrays.stream(buckets).distinct().count() != buckets.length) {
      throw new InvalidRequestException("a key listing asks for distinct buckets, at least one; got "
          + request.getBucketsList());
    }
    for (int b : buckets) {
      if (b < 0 || b >= trees.buckets()) {
        throw new InvalidRequestException("bucket " + b + " is out of range 0.." + (trees.buckets() - 1));
      }
    }
    RangeTrees.Listing listing = trees.keysIn(coordinator.replica(), range, buckets, KEYS_REPLY_BYTES);
    AeKeysReply.Builder reply = AeKeysReply.newBuilder().setCovered(listing.covered());
    listing.keys().forEach((k, h) ->
        reply.addKeys(KeyHash.newBuilder().setKey(ByteString.copyFrom(k.bytes())).setHash(h)));
    stats.get(range).sent(reply.build().getSerializedSize());
    return Envelope.newBuilder().setAeKeysReply(reply);
  }

  private void checkShared(String range, String sender) {
    if (!trees.holds(range) || !trees.range(range).peers().contains(sender)) {
      throw new InvalidRequestException("node " + coordinator.localNode() + " shares no replica range '" + range
          + "' with '" + sender + "'; its ranges: " + trees.ranges().stream().map(ReplicaRange::id).toList());
    }
  }

  private static Envelope.Builder repairReply(Round round) {
    RepairReply.Builder reply = RepairReply.newBuilder().setExchanges(round.exchanges().size())
        .putAllFailed(round.failed());
    for (Exchange e : round.exchanges()) {
      reply.setKeysCompared(reply.getKeysCompared() + e.keysCompared())
          .setKeysSent(reply.getKeysSent() + e.keysSent())
          .setKeysReceived(reply.getKeysReceived() + e.keysReceived())
          .setBytesSent(reply.getBytesSent() + e.bytesSent());
    }
    return Envelope.newBuilder().setRepairReply(reply);
  }
}
