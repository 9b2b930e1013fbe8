package dev.kvstore.net.internal.antientropy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.antientropy.AntiEntropy.Exchange;
import dev.kvstore.net.internal.antientropy.RangeTrees.Key;
import dev.kvstore.net.internal.antientropy.RangeTrees.ReplicaRange;
import dev.kvstore.net.internal.proto.AeKeysReply;
import dev.kvstore.net.internal.proto.AeKeysRequest;
import dev.kvstore.net.internal.proto.AeLeavesRequest;
import dev.kvstore.net.internal.proto.AeRootsRequest;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.KeyHash;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.replica.Coordinator;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange of some ranges with one peer, from this node's side: the roots of all of them in one request; for
 * each range whose roots differ, its leaves, then the keys of its differing buckets (as many whole buckets per
 * request as fit the peer's reply budget), then every key whose hashes differ moves: the peer's set is read
 * ({@code Read}) and merged here, and the merged set is sent back ({@code Replicate}) unless it hashes as the
 * peer's did (the peer's set covered this node's); a key the peer lacks is sent without a read. Keys move
 * {@value #BATCH} at a time, a batch starting no sooner than {@link Pacing#keysPerSecond()} allows. At the end, the
 * roots of the ranges that differed are compared once more. The buckets found equal, with this node's leaves of
 * them, go to the owner's {@link InSyncListener}s: every bucket when the roots match (and the leaves read add up to
 * the peer's root), the equal ones when the leaves are compared. Used once; thread-safe (each range's tally is
 * touched by one step at a time, the steps of a range following each other).
 */
final class PeerExchange {
  private static final Logger log = LoggerFactory.getLogger(PeerExchange.class);
  /** Keys moved at once: enough to fill a round trip, few enough not to flood a peer's queues. */
  static final int BATCH = 64;

  private final AntiEntropy owner;
  private final Coordinator coordinator;
  private final RangeTrees trees;
  private final Transport transport;
  private final Duration timeout;
  private final Pacing pacing;
  private final String peer;
  private final List<ReplicaRange> ranges;
  private final int bucketLimit;
  private final long turn;
  private final Map<String, Tally> tallies = new LinkedHashMap<>(); // filled in the constructor

  /** What the exchange did for one range so far. */
  private static final class Tally {
    volatile int bucketsDiffering;
    final AtomicLong compared = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    volatile boolean inSync;
  }

  PeerExchange(AntiEntropy owner, Coordinator coordinator, RangeTrees trees, Transport transport, Duration timeout,
      Pacing pacing, String peer, List<ReplicaRange> ranges, int bucketLimit, long turn) {
    this.owner = owner;
    this.coordinator = coordinator;
    this.trees = trees;
    this.transport = transport;
    this.timeout = timeout;
    this.pacing = pacing;
    this.peer = peer;
    this.ranges = List.copyOf(ranges);
    this.bucketLimit = bucketLimit;
    this.turn = turn;
    for (ReplicaRange r : ranges) {
      tallies.put(r.id(), new Tally());
    }
  }

  /** Runs the exchange; completes with one result per range, in range order. */
  CompletableFuture<List<Exchange>> run() {
    List<String> ids = ranges.stream().map(ReplicaRange::id).toList();
    return compareRoots(ids).thenCompose(differing -> {
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (String id : differing) {
        chain = chain.thenCompose(v -> repairRange(id));
      }
      return chain.thenCompose(v -> differing.isEmpty()
          ? CompletableFuture.completedFuture(List.<String>of()) : compareRoots(differing));
    }).thenApply(v -> results());
  }

  private List<Exchange> results() {
    List<Exchange> out = new ArrayList<>();
    tallies.forEach((id, t) -> {
      Exchange e = new Exchange(id, peer, t.bucketsDiffering, t.compared.get(), t.sent.get(), t.received.get(),
          t.bytes.get(), t.inSync);
      owner.finished(e);
      if (e.bucketsDiffering() > 0) {
        log.info("anti-entropy of range {} with {}: {} buckets differed, {} keys compared, {} sent, {} received, "
            + "{} bytes sent, {}", id, peer, e.bucketsDiffering(), e.keysCompared(), e.keysSent(), e.keysReceived(),
            e.bytesSent(), e.inSync() ? "now in sync" : "still differing");
      }
      out.add(e);
    });
    return out;
  }

  /** Asks the peer for the roots of {@code ids}; marks the equal ones in sync; completes with the differing ones. */
  private CompletableFuture<List<String>> compareRoots(List<String> ids) {
    Instant asOf = owner.now();
    AeRootsRequest request = AeRootsRequest.newBuilder().addAllRanges(ids).build();
    long share = request.getSerializedSize() / ids.size();
    ids.forEach(id -> tallies.get(id).bytes.addAndGet(share));
    return transport.request(peer, Envelope.newBuilder().setAeRootsRequest(request), timeout).thenApply(reply -> {
      List<Long> theirs = reply.getAeRootsReply().getRootsList();
      if (theirs.size() != ids.size()) {
        throw new InvalidRequestException("node " + peer + " answered " + theirs.size() + " roots for "
            + ids.size() + " ranges");
      }
      List<String> differing = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        // The leaves first: reported as in sync only if they themselves add up to the peer's root, so a write
        // that lands here between the two reads is never reported as held by the peer.
        long[] leaves = trees.leaves(id);
        boolean equal = trees.root(id) == theirs.get(i);
        tallies.get(id).inSync = equal;
        if (equal) {
          owner.foundInSync(id, peer, asOf);
          if (xor(leaves) == theirs.get(i)) {
            owner.foundBucketsInSync(id, peer, allBuckets(leaves.length), leaves);
          }
        } else {
          differing.add(id);
        }
      }
      return differing;
    });
  }

  private CompletableFuture<Void> repairRange(String id) {
    Tally tally = tallies.get(id);
    AeLeavesRequest request = AeLeavesRequest.newBuilder().setRange(id).build();
    tally.bytes.addAndGet(request.getSerializedSize());
    return transport.request(peer, Envelope.newBuilder().setAeLeavesRequest(request), timeout).thenCompose(r -> {
      long[] theirs = r.getAeLeavesReply().getLeavesList().stream().mapToLong(Long::longValue).toArray();
      if (theirs.length != trees.buckets()) {
        throw new InvalidRequestException("node " + peer + " keeps trees of " + theirs.length + " buckets, this "
            + "node " + trees.buckets());
      }
      long[] mine = trees.leaves(id);
      int[] differing = HashTree.differing(mine, theirs);
      tally.bucketsDiffering = differing.length;
      reportEqual(id, mine, differing);
      return listAndMove(id, chosen(differing));
    });
  }

  /** Tells the owner that the buckets of {@code mine} not in {@code differing} (ascending) were equal. */
  private void reportEqual(String id, long[] mine, int[] differing) {
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
    owner.foundBucketsInSync(id, peer, equal, leaves);
  }

  private static long xor(long[] leaves) {
    long x = 0;
    for (long l : leaves) {
      x ^= l;
    }
    return x;
  }

  private static int[] allBuckets(int n) {
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    return all;
  }

  /** At most {@link #bucketLimit} of {@code differing}, a window that moves on at each turn, ascending. */
  private int[] chosen(int[] differing) {
    if (differing.length <= bucketLimit) {
      return differing;
    }
    int start = (int) ((turn * bucketLimit) % differing.length);
    int[] out = new int[bucketLimit];
    for (int i = 0; i < bucketLimit; i++) {
      out[i] = differing[(start + i) % differing.length];
    }
    Arrays.sort(out);
    return out;
  }

  private CompletableFuture<Void> listAndMove(String id, int[] buckets) {
    if (buckets.length == 0) {
      return CompletableFuture.completedFuture(null);
    }
    AeKeysRequest.Builder request = AeKeysRequest.newBuilder().setRange(id);
    Arrays.stream(buckets).forEach(request::addBuckets);
    tallies.get(id).bytes.addAndGet(request.build().getSerializedSize());
    return transport.request(peer, Envelope.newBuilder().setAeKeysRequest(request), timeout).thenCompose(r -> {
      AeKeysReply reply = r.getAeKeysReply();
      int covered = reply.getCovered();
      if (covered < 1 || covered > buckets.length) {
        throw new InvalidRequestException("node " + peer + " listed " + covered + " of the " + buckets.length
            + " buckets asked for");
      }
      int[] done = Arrays.copyOf(buckets, covered);
      Map<Key, Long> theirs = theirKeys(id, done, reply);
      return CompletableFuture.supplyAsync(
              () -> trees.keysIn(coordinator.replica(), id, done, Long.MAX_VALUE).keys(), executor())
          .thenCompose(mine -> move(id, mine, theirs))
          .thenCompose(v -> listAndMove(id, Arrays.copyOfRange(buckets, covered, buckets.length)));
    });
  }

  /** The peer's keys, each checked like a client's and against the buckets asked for. */
  private Map<Key, Long> theirKeys(String id, int[] buckets, AeKeysReply reply) {
    Set<Integer> asked = new java.util.HashSet<>();
    Arrays.stream(buckets).forEach(asked::add);
    Map<Key, Long> theirs = new LinkedHashMap<>();
    for (KeyHash kh : reply.getKeysList()) {
      byte[] key = kh.getKey().toByteArray();
      coordinator.replica().checks().key(key);
      if (!asked.contains(trees.bucketIn(id, key))) {
        throw new InvalidRequestException("node " + peer + " listed a key outside the buckets of range " + id
            + " asked for");
      }
      theirs.put(new Key(key), kh.getHash());
    }
    return theirs;
  }

  private CompletableFuture<Void> move(String id, Map<Key, Long> mine, Map<Key, Long> theirs) {
    Tally tally = tallies.get(id);
    Set<Key> all = new LinkedHashSet<>(mine.keySet());
    all.addAll(theirs.keySet());
    tally.compared.addAndGet(all.size());
    List<Supplier<CompletableFuture<?>>> steps = new ArrayList<>();
    for (Key k : all) {
      Long m = mine.get(k);
      Long t = theirs.get(k);
      if (m != null && m.equals(t)) {
        continue;
      }
      byte[] key = k.bytes();
      if (t == null) {
        tally.sent.incrementAndGet(); // the peer lacks the key
        steps.add(() -> CompletableFuture.supplyAsync(() -> coordinator.replica().read(key), executor())
            .thenCompose(set -> send(tally, key, set)));
        continue;
      }
      tally.received.incrementAndGet();
      steps.add(() -> receive(tally, key).thenCompose(merged -> {
        if (RangeTrees.hash(key, SiblingCodec.encode(merged)) == t) {
          return CompletableFuture.completedFuture(null); // the peer's set covered ours
        }
        tally.sent.incrementAndGet();
        return send(tally, key, merged);
      }));
    }
    return paced(steps);
  }

  /** Runs {@code steps} {@value #BATCH} at a time, each batch after the previous one and the pace's pause. */
  private CompletableFuture<Void> paced(List<Supplier<CompletableFuture<?>>> steps) {
    Scheduler scheduler = coordinator.scheduler();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int from = 0; from < steps.size(); from += BATCH) {
      List<Supplier<CompletableFuture<?>>> batch = steps.subList(from, Math.min(steps.size(), from + BATCH));
      long pause = batch.size() * 1_000_000_000L / pacing.keysPerSecond();
      chain = chain.thenCompose(v -> {
        long start = scheduler.nanoTime();
        return CompletableFuture.allOf(batch.stream().map(Supplier::get).toArray(CompletableFuture[]::new))
            .thenCompose(x -> until(scheduler, start + pause));
      });
    }
    return chain;
  }

  private static CompletableFuture<Void> until(Scheduler scheduler, long deadline) {
    long left = deadline - scheduler.nanoTime();
    if (left <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    scheduler.schedule(Duration.ofNanos(left), () -> f.complete(null));
    return f;
  }

  /** Reads the peer's set of {@code key} and merges it here; completes with the merged set. */
  private CompletableFuture<DvvSet<StoredValue>> receive(Tally tally, byte[] key) {
    Read read = Read.newBuilder().setKey(ByteString.copyFrom(key)).build();
    tally.bytes.addAndGet(read.getSerializedSize());
    return transport.request(peer, Envelope.newBuilder().setRead(read), timeout).thenCompose(reply -> {
      DvvSet<StoredValue> remote = coordinator.clockGuard()
          .check(Coordinator.decode(reply.getReadReply().getSiblings()), peer, "anti-entropy read");
      Replica replica = coordinator.replica();
      Executor pool = executor();
      return CompletableFuture.supplyAsync(() -> replica.merge(key, remote, pool), pool).thenCompose(f -> f);
    });
  }

  /** Sends {@code set}, this node's set of {@code key}, to the peer, which merges it. */
  private CompletableFuture<?> send(Tally tally, byte[] key, DvvSet<StoredValue> set) {
    Message replicate = Replicate.newBuilder().setKey(ByteString.copyFrom(key))
        .setSiblings(ByteString.copyFrom(SiblingCodec.encode(set))).build();
    tally.bytes.addAndGet(replicate.getSerializedSize());
    return transport.request(peer, Envelope.newBuilder().setReplicate((Replicate) replicate), timeout);
  }

  private Executor executor() {
    return coordinator.scheduler().executor();
  }
}
