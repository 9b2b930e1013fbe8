package dev.kvstore.net.internal.sim;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.internal.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one simulated run did and what the replicas held: every client operation with its result, and every
 * version any replica made durable (its dot, value and causal past), as seen by a change listener on each
 * store. The checker judges a run from this alone plus the replicas' final sets. Confined to the simulation
 * thread.
 */
final class SimHistory {
  /** What a client asked. */
  enum Kind {
    GET, PUT_WITH_CONTEXT, PUT_EMPTY_CONTEXT, PUT_OVERWRITE, DELETE;

    boolean isPut() {
      return this == PUT_WITH_CONTEXT || this == PUT_EMPTY_CONTEXT || this == PUT_OVERWRITE;
    }

    boolean isWrite() {
      return this != GET;
    }
  }

  /** How it ended: acknowledged, failed (it may still have been applied), or unknown (its coordinator crashed). */
  enum Outcome { PENDING, OK, FAILED, UNKNOWN }

  /** One client operation. */
  static final class Op {
    final int id;
    final String client;
    final String key;
    final Kind kind;
    final String value; // puts only
    final VectorClock context; // the context passed (null: none, for overwrite puts and gets)
    final String via;
    final long start;
    long end;
    Outcome outcome = Outcome.PENDING;
    String detail = "";
    List<String> read = List.of(); // gets: the live values returned

    Op(int id, String client, String key, Kind kind, String value, VectorClock context, String via, long start) {
      this.id = id;
      this.client = client;
      this.key = key;
      this.kind = kind;
      this.value = value;
      this.context = context;
      this.via = via;
      this.start = start;
    }

    boolean acked() {
      return outcome == Outcome.OK;
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder()
          .append(String.format("%7.1fms..%7.1fms #%d %s via %s: %s %s", start / 1e6, end / 1e6, id, client, via,
              kind, key));
      if (value != null) {
        s.append('=').append(value);
      }
      if (context != null) {
        s.append(" ctx ").append(context);
      }
      s.append(" -> ").append(outcome);
      if (kind == Kind.GET && outcome == Outcome.OK) {
        s.append(' ').append(read);
      }
      if (!detail.isEmpty()) {
        s.append(" (").append(detail).append(')');
      }
      return s.toString();
    }
  }

  /** A version some replica made durable: its value (null: a tombstone) and its causal past. */
  record Seen(String value, VectorClock past, String firstAt) {
    boolean isTombstone() {
      return value == null;
    }
  }

  final List<Op> ops = new ArrayList<>();
  final Map<String, Map<Dot, Seen>> versions = new TreeMap<>();
  final List<String> dotConflicts = new ArrayList<>();
  final List<String> faults = new ArrayList<>();
  /** Per key, the virtual time (ns) at which some replica first removed its record (the tombstone rule). */
  final Map<String, Long> firstPurge = new TreeMap<>();

  Op start(String client, String key, Kind kind, String value, VectorClock context, String via, long now) {
    Op op = new Op(ops.size() + 1, client, key, kind, value, context, via, now);
    ops.add(op);
    return op;
  }

  /** Records the versions of a durable set of {@code key} on {@code node}. */
  void observe(String node, byte[] key, DvvSet<StoredValue> set) {
    String k = new String(key, StandardCharsets.UTF_8);
    Map<Dot, Seen> known = versions.computeIfAbsent(k, x -> new LinkedHashMap<>());
    for (Versioned<StoredValue> s : set.siblings()) {
      Seen seen = new Seen(text(s.value()), s.version().past(), node);
      Seen before = known.putIfAbsent(s.dot(), seen);
      if (before != null && !java.util.Objects.equals(before.value(), seen.value())) {
        dotConflicts.add("key " + k + ": dot " + s.dot() + " names " + show(before.value()) + " (first on "
            + before.firstAt() + ") and " + show(seen.value()) + " (on " + node + ")");
      }
    }
  }

  /** Records that {@code node} removed the record of {@code key} at {@code now} (a dead key purged). */
  void purged(String node, byte[] key, long now) {
    String k = new String(key, StandardCharsets.UTF_8);
    if (firstPurge.putIfAbsent(k, now) == null) {
      fault(now, "purge of " + k + " on " + node + " (the first one)");
    }
  }

  void fault(long now, String what) {
    faults.add(String.format("%7.1fms %s", now / 1e6, what));
  }

  static String text(StoredValue v) {
    return v.isTombstone() ? null : new String(v.value(), StandardCharsets.UTF_8);
  }

  static String show(String value) {
    return value == null ? "<tombstone>" : value;
  }

  /** The operation lines of one key, in start order. */
  List<String> opsOf(String key) {
    return ops.stream().filter(o -> o.key.equals(key)).map(Op::toString).toList();
  }

  /** The operation lines of every key, for determinism checks. */
  List<String> lines() {
    List<String> all = new ArrayList<>(faults);
    ops.forEach(o -> all.add(o.toString()));
    return all;
  }
}
