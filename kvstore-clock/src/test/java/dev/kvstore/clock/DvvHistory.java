package dev.kvstore.clock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A random history of writes and replica syncs on one key, run twice: on {@link DvvSet}s, and on an
 * independent model that knows nothing of clocks, only which writes each replica and each client
 * read has seen. A write supersedes exactly the writes its client's context saw; a write is live at
 * a replica iff the replica has seen it and has not seen a write that superseded it.
 */
final class DvvHistory {
  /** What a client read: the real context and the model's set of write ids it saw. */
  record Read(VectorClock context, Set<String> seen) {}

  final List<String> replicas;
  final Map<String, DvvSet<String>> sets = new HashMap<>();
  final Map<String, Set<String>> seen = new HashMap<>();
  final Map<String, Set<String>> supersededBy = new HashMap<>();
  final List<Read> reads = new ArrayList<>();

  /** Every state any replica passed through, in order, for algebraic properties. */
  final List<DvvSet<String>> states = new ArrayList<>();

  private int writes;

  DvvHistory(int replicaCount) {
    replicas = Gen.NODES.subList(0, replicaCount);
    for (String r : replicas) {
      sets.put(r, DvvSet.empty());
      seen.put(r, new HashSet<>());
    }
    reads.add(new Read(VectorClock.empty(), Set.of()));
  }

  /**
   * Runs {@code steps} random reads, writes (with fresh, stale, merged or blind contexts) and
   * syncs.
   */
  static DvvHistory random(SplittableRandom rnd, int replicaCount, int steps) {
    DvvHistory h = new DvvHistory(replicaCount);
    for (int i = 0; i < steps; i++) {
      String r = Gen.pick(rnd, h.replicas);
      switch (rnd.nextInt(4)) {
        case 0 -> h.read(r);
        case 1 -> h.write(r, h.clientContext(rnd));
        case 2 -> h.write(r, h.freshRead(r));
        default -> h.sync(r, Gen.pick(rnd, h.replicas));
      }
    }
    return h;
  }

  Read read(String replica) {
    Read read = new Read(sets.get(replica).context(), Set.copyOf(seen.get(replica)));
    reads.add(read);
    return read;
  }

  private Read freshRead(String replica) {
    return read(replica);
  }

  /** A context a client might send: any earlier read (possibly stale), or two reads merged. */
  Read clientContext(SplittableRandom rnd) {
    Read a = Gen.pick(rnd, reads);
    if (rnd.nextInt(3) > 0) {
      return a;
    }
    Read b = Gen.pick(rnd, reads);
    Set<String> both = new HashSet<>(a.seen());
    both.addAll(b.seen());
    return new Read(a.context().merge(b.context()), both);
  }

  /** Writes a fresh value through {@code replica} with the client's read; returns the value. */
  String write(String replica, Read ctx) {
    String value = "w" + writes++;
    DvvSet<String> next = sets.get(replica).update(ctx.context(), value, replica);
    sets.put(replica, next);
    states.add(next);
    seen.get(replica).addAll(ctx.seen());
    seen.get(replica).add(value);
    supersededBy.put(value, ctx.seen());
    return value;
  }

  /** Makes both replicas hold the merge of their states. */
  void sync(String r1, String r2) {
    DvvSet<String> merged = DvvSet.sync(sets.get(r1), sets.get(r2));
    sets.put(r1, merged);
    sets.put(r2, merged);
    states.add(merged);
    Set<String> union = new HashSet<>(seen.get(r1));
    union.addAll(seen.get(r2));
    seen.put(r1, union);
    seen.put(r2, new HashSet<>(union));
  }

  /** Returns the values the model says are live at {@code replica}, sorted. */
  Set<String> modelLive(String replica) {
    Set<String> s = seen.get(replica);
    Set<String> dead = new HashSet<>();
    for (String w : s) {
      dead.addAll(supersededBy.get(w));
    }
    TreeSet<String> live = new TreeSet<>(s);
    live.removeAll(dead);
    return live;
  }

  /** Returns the values the DVV set at {@code replica} holds, sorted. */
  Set<String> actualLive(String replica) {
    return new TreeSet<>(sets.get(replica).values());
  }
}
