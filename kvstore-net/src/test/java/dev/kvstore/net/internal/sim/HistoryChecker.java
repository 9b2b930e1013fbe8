package dev.kvstore.net.internal.sim;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.internal.StoredValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Judges one run of the fault simulation by its history and the replicas' sets after heal. Four properties:
 *
 * <ol>
 *   <li><b>No acknowledged write is lost</b>: the replicas still know every acknowledged put: its version is a
 *       sibling, or their causal context covers it (they saw it and something superseded it).
 *   <li><b>Concurrent writes are never silently dropped</b>: an acknowledged put that is not a sibling after heal
 *       was replaced by a write whose causal past covered it (a write that saw it); every put's version records
 *       exactly the context its client passed as its past (so "covered" means its client saw it); one version per
 *       dot.
 *   <li><b>Replicas converge</b>: after heal, every replica of every key written holds the same sibling set.
 *   <li><b>Deletes stay deleted</b>: no version that an acknowledged delete's context covered is live after heal.
 *   <li><b>No deleted value read after a purge</b>: once some replica removed a key's record under the tombstone
 *       rule, no read that starts later returns a value that a delete acknowledged before that covered. (An
 *       acknowledged put of a purged key counts as kept when a recorded write saw it: its delete.)
 * </ol>
 *
 * And a fifth, known to fail until writes carry operation ids (issue 10, item 3): <b>each write is applied
 * once</b>, so an acknowledged put has exactly one version; a request the network delivers twice is coordinated
 * twice today.
 *
 * Versions are identified by their dots: every version some replica made durable was recorded with its dot,
 * value and causal past as it happened (a change listener on each store), and the final sets add any version
 * that survived a crash without having been forced.
 */
final class HistoryChecker {
  static final String LOST = "no acknowledged write lost";
  static final String SIBLINGS = "concurrent writes kept as siblings";
  static final String CONVERGED = "replicas converge after heal";
  static final String DELETES = "acknowledged deletes stay deleted";
  static final String APPLIED_ONCE = "each write live once after heal";
  static final String PURGED = "no deleted value read after a purge";

  /** A broken property, with the key whose history explains it. */
  record Violation(String property, String key, String message) {}

  /** What was checked and what failed. */
  static final class Result {
    final Map<String, Integer> checked = new LinkedHashMap<>();
    final List<Violation> violations = new ArrayList<>();
    int siblingsAtEnd; // acknowledged puts that ended as one of two or more siblings
    int supersededBySeen; // acknowledged puts replaced by a write that saw them
    int concurrentPairs; // pairs of acknowledged puts of one key, neither of which saw the other
    int valuesDeleted; // versions covered by acknowledged deletes
    int mintedTwice; // acknowledged puts minted as two versions (a retry after a crash); merged back by op id
    int purgedKeys; // keys whose record some replica removed under the tombstone rule
    int deletedAndPurged; // acknowledged puts superseded by a delete and then purged (no context left to cover them)

    void count(String property, int n) {
      checked.merge(property, n, Integer::sum);
    }

    void add(Result other) {
      other.checked.forEach(this::count);
      violations.addAll(other.violations);
      siblingsAtEnd += other.siblingsAtEnd;
      supersededBySeen += other.supersededBySeen;
      concurrentPairs += other.concurrentPairs;
      valuesDeleted += other.valuesDeleted;
      mintedTwice += other.mintedTwice;
      purgedKeys += other.purgedKeys;
      deletedAndPurged += other.deletedAndPurged;
    }
  }

  private HistoryChecker() {}

  static Result check(FaultSimulation run) {
    Result r = new Result();
    SimHistory h = run.history;
    for (String key : run.finalSets.keySet()) {
      Map<Dot, SimHistory.Seen> versions = universe(h, key, run.finalSets.get(key));
      DvvSet<StoredValue> merged = run.finalSets.get(key).values().stream().reduce(DvvSet.empty(), DvvSet::sync);
      converged(run, key, r);
      List<SimHistory.Op> acked = h.ops.stream()
          .filter(o -> o.key.equals(key) && o.kind.isPut() && o.acked()).toList();
      boolean purged = h.firstPurge.containsKey(key);
      for (SimHistory.Op put : acked) {
        checkPut(key, put, versions, merged, purged, r);
      }
      countConcurrent(acked, versions, r);
      for (SimHistory.Op put : h.ops.stream().filter(o -> o.key.equals(key) && o.kind.isPut()).toList()) {
        checkPast(key, put, versions, r);
      }
      for (SimHistory.Op delete : h.ops.stream()
          .filter(o -> o.key.equals(key) && o.kind == SimHistory.Kind.DELETE && o.acked()).toList()) {
        checkDelete(run, key, delete, versions, r);
      }
      checkReadsAfterPurge(h, key, versions, r);
    }
    for (String conflict : h.dotConflicts) {
      r.violations.add(new Violation(SIBLINGS, conflict.substring(4, conflict.indexOf(':')), conflict));
    }
    return r;
  }

  private static Map<Dot, SimHistory.Seen> universe(SimHistory h, String key, Map<String, DvvSet<StoredValue>> sets) {
    Map<Dot, SimHistory.Seen> all = new LinkedHashMap<>(h.versions.getOrDefault(key, Map.of()));
    sets.forEach((node, set) -> {
      for (Versioned<StoredValue> s : set.siblings()) {
        all.putIfAbsent(s.dot(), new SimHistory.Seen(SimHistory.text(s.value()), s.version().past(), node));
      }
    });
    return all;
  }

  private static void checkPut(String key, SimHistory.Op put, Map<Dot, SimHistory.Seen> versions,
      DvvSet<StoredValue> merged, boolean purged, Result r) {
    r.count(LOST, 1);
    r.count(SIBLINGS, 1);
    List<Dot> dots = dotsOf(versions, put.value);
    if (dots.isEmpty()) {
      r.violations.add(new Violation(LOST, key, "acknowledged put #" + put.id + " " + put.value
          + " was never durable on any replica"));
      return;
    }
    r.count(APPLIED_ONCE, 1);
    if (dots.size() > 1) { // a retry after a crash minted a second version; operation ids merge them back
      r.mintedTwice++;
    }
    long liveCopies = merged.siblings().stream().filter(s -> dots.contains(s.dot())).count();
    if (liveCopies > 1) { // a write applied twice and both versions kept: a duplicate the user would see
      r.violations.add(new Violation(APPLIED_ONCE, key, "put #" + put.id + " " + put.value + " is live as "
          + liveCopies + " versions of " + dots + " after heal: one write applied more than once"));
    }
    if (dots.stream().noneMatch(merged.context()::covers)) {
      if (purged && coveredBy(versions, dots) != null) { // deleted, then its record removed by the tombstone rule
        r.deletedAndPurged++;
        return;
      }
      r.violations.add(new Violation(LOST, key, "acknowledged put #" + put.id + " " + put.value + " " + dots
          + " is unknown to every replica after heal (final context " + merged.context() + ")"));
      return;
    }
    boolean live = merged.siblings().stream().anyMatch(s -> dots.contains(s.dot()));
    if (live) {
      if (merged.siblings().stream().filter(s -> !s.value().isTombstone()).count() > 1) {
        r.siblingsAtEnd++;
      }
      return;
    }
    if (coveredBy(versions, dots) == null) {
      r.violations.add(new Violation(SIBLINGS, key, "acknowledged put #" + put.id + " " + put.value + " " + dots
          + " is gone, but no write's causal past covers it: dropped without a write that saw it"));
    } else {
      r.supersededBySeen++;
    }
  }

  /** A version whose causal past covers one of {@code dots} (a write that saw that put), or null. */
  private static Dot coveredBy(Map<Dot, SimHistory.Seen> versions, List<Dot> dots) {
    for (Map.Entry<Dot, SimHistory.Seen> e : versions.entrySet()) {
      if (!dots.contains(e.getKey()) && dots.stream().anyMatch(e.getValue().past()::covers)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Once some replica removed the record of {@code key} (the tombstone rule: every replica held the same dead
   * set), no read that starts after that returns a value that a delete acknowledged before it covered: every
   * copy of such a value was dead on every replica, and nothing older can still arrive.
   */
  private static void checkReadsAfterPurge(SimHistory h, String key, Map<Dot, SimHistory.Seen> versions, Result r) {
    Long purgedAt = h.firstPurge.get(key);
    if (purgedAt == null) {
      return;
    }
    r.purgedKeys++;
    List<SimHistory.Op> deletes = h.ops.stream().filter(o -> o.key.equals(key) && o.kind == SimHistory.Kind.DELETE
        && o.acked() && o.end < purgedAt).toList();
    for (SimHistory.Op read : h.ops.stream().filter(o -> o.key.equals(key) && o.kind == SimHistory.Kind.GET
        && o.acked() && o.start > purgedAt).toList()) {
      r.count(PURGED, 1);
      for (String value : read.read) {
        List<Dot> dots = dotsOf(versions, value);
        for (SimHistory.Op delete : deletes) {
          if (!dots.isEmpty() && dots.stream().allMatch(delete.context::covers)) {
            r.violations.add(new Violation(PURGED, key, "read #" + read.id + " returned " + value + " " + dots
                + ", which delete #" + delete.id + " (context " + delete.context + ") covered, after the first purge"
                + " of " + key + " at " + String.format("%.1f", purgedAt / 1e6) + " ms"));
          }
        }
      }
    }
  }

  /**
   * A write's version records as its causal past exactly the context its client passed: a coordinator that
   * widened it would silently supersede siblings the client never saw (an overwrite without a context has no
   * client context: it supersedes what its coordinator held, by definition).
   */
  private static void checkPast(String key, SimHistory.Op put, Map<Dot, SimHistory.Seen> versions, Result r) {
    if (put.context == null) {
      return;
    }
    versions.forEach((dot, seen) -> {
      if (put.value.equals(seen.value()) && !seen.past().equals(put.context)) {
        r.violations.add(new Violation(SIBLINGS, key, "put #" + put.id + " " + put.value + " passed context "
            + put.context + " but its version " + dot + " records past " + seen.past()
            + ": it supersedes siblings its client never saw"));
      }
    });
  }

  private static void countConcurrent(List<SimHistory.Op> acked, Map<Dot, SimHistory.Seen> versions, Result r) {
    List<Map.Entry<Dot, SimHistory.Seen>> mine = new ArrayList<>();
    for (SimHistory.Op put : acked) {
      versions.entrySet().stream().filter(e -> put.value.equals(e.getValue().value())).findFirst().ifPresent(mine::add);
    }
    for (int i = 0; i < mine.size(); i++) {
      for (int j = i + 1; j < mine.size(); j++) {
        var a = mine.get(i);
        var b = mine.get(j);
        if (!a.getValue().past().covers(b.getKey()) && !b.getValue().past().covers(a.getKey())) {
          r.concurrentPairs++;
        }
      }
    }
  }

  private static void converged(FaultSimulation run, String key, Result r) {
    Map<String, DvvSet<StoredValue>> sets = run.finalSets.get(key);
    r.count(CONVERGED, 1);
    DvvSet<StoredValue> first = sets.values().iterator().next();
    sets.forEach((node, set) -> {
      if (!set.equals(first)) {
        r.violations.add(new Violation(CONVERGED, key, "replica " + node + " holds " + describe(set)
            + " but " + sets.keySet().iterator().next() + " holds " + describe(first)));
      }
    });
  }

  private static void checkDelete(FaultSimulation run, String key, SimHistory.Op delete,
      Map<Dot, SimHistory.Seen> versions, Result r) {
    r.count(DELETES, 1);
    VectorClock ctx = delete.context;
    versions.forEach((dot, seen) -> {
      if (!seen.isTombstone() && ctx.covers(dot)) {
        r.valuesDeleted++;
      }
    });
    run.finalSets.get(key).forEach((node, set) -> {
      for (Versioned<StoredValue> s : set.siblings()) {
        if (!s.value().isTombstone() && ctx.covers(s.dot())) {
          r.violations.add(new Violation(DELETES, key, "acknowledged delete #" + delete.id + " (context " + ctx
              + ") covered " + SimHistory.text(s.value()) + " " + s.dot() + ", which is live again on " + node));
        }
      }
    });
  }

  private static List<Dot> dotsOf(Map<Dot, SimHistory.Seen> versions, String value) {
    List<Dot> dots = new ArrayList<>();
    versions.forEach((dot, seen) -> {
      if (Objects.equals(seen.value(), value)) {
        dots.add(dot);
      }
    });
    return dots;
  }

  static String describe(DvvSet<StoredValue> set) {
    StringBuilder s = new StringBuilder("{ctx ").append(set.context()).append(':');
    for (Versioned<StoredValue> v : set.siblings()) {
      s.append(' ').append(v.dot()).append('=').append(SimHistory.show(SimHistory.text(v.value())));
    }
    return s.append('}').toString();
  }

  /** A short readable history of {@code key} in {@code run}, for a failure message. */
  static String story(FaultSimulation run, String key) {
    StringBuilder s = new StringBuilder();
    s.append("  faults:\n");
    run.history.faults.forEach(f -> s.append("    ").append(f).append('\n'));
    s.append("  operations on ").append(key).append(":\n");
    run.history.opsOf(key).forEach(o -> s.append("    ").append(o).append('\n'));
    s.append("  versions of ").append(key).append(" made durable (dot = value, past, first seen on):\n");
    run.history.versions.getOrDefault(key, Map.of()).forEach((dot, seen) -> s.append("    ").append(dot)
        .append(" = ").append(SimHistory.show(seen.value())).append(", past ").append(seen.past()).append(", on ")
        .append(seen.firstAt()).append('\n'));
    s.append("  after heal").append(run.neededRepair.contains(key) ? " (needed read repair)" : "").append(":\n");
    Map<String, DvvSet<StoredValue>> sets = run.finalSets.getOrDefault(key, Map.of());
    sets.forEach((node, set) -> s.append("    ").append(node).append(' ').append(describe(set)).append('\n'));
    return s.toString();
  }
}
