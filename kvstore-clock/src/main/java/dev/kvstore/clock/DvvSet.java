package dev.kvstore.clock;

import dev.kvstore.clock.internal.ByteReader;
import dev.kvstore.clock.internal.ByteWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A DVV sibling set, the causal container of one key (the dvvset of Riak 2.0, kept as one context
 * version vector that covers everything the set has seen, plus the live siblings, each with its own
 * dot). Invariants: the context covers every sibling's dot and descends every sibling's past; no
 * two siblings share a dot.
 *
 * <p>Equality compares the context and the siblings, values by {@code V.equals} (so for {@code
 * byte[]} values equality is identity: wrap arrays in a value type to compare contents).
 *
 * <p>Immutable and thread-safe when {@code V} is; {@code V} must be immutable or treated as such.
 *
 * @param <V> the value type
 */
public final class DvvSet<V> {
  static final int FORMAT_VERSION = 1;

  /** Smallest encoded sibling: dot index, dot counter, empty past, empty value, one byte each. */
  private static final int MIN_SIBLING_BYTES = 4;

  private static final DvvSet<?> EMPTY = new DvvSet<>(VectorClock.empty(), List.of());
  private static final Comparator<Versioned<?>> BY_DOT = Comparator.comparing(Versioned::dot);

  private final VectorClock context;
  private final List<Versioned<V>> siblings;

  private DvvSet(VectorClock context, List<Versioned<V>> siblings) {
    this.context = context;
    this.siblings = siblings;
  }

  /** Returns the set that has seen nothing and holds nothing. */
  @SuppressWarnings("unchecked")
  public static <V> DvvSet<V> empty() {
    return (DvvSet<V>) EMPTY;
  }

  /** Returns the join of everything this set has seen: what a client passes back as its context. */
  public VectorClock context() {
    return context;
  }

  /** Returns the live siblings sorted by dot (deterministic order), unmodifiable. */
  public List<Versioned<V>> siblings() {
    return siblings;
  }

  /** Returns the siblings' values, in sibling order, unmodifiable. */
  public List<V> values() {
    return siblings.stream().map(Versioned::value).toList();
  }

  /** Returns the number of live siblings. */
  public int size() {
    return siblings.size();
  }

  /** Returns whether there are no live siblings (the context may still be non-empty). */
  public boolean isEmpty() {
    return siblings.isEmpty();
  }

  /**
   * Returns the set after a write coordinated by {@code node} by a client that had read context
   * {@code ctx}. The new dot is {@code (node, max(context().get(node), ctx.get(node)) + 1)}
   * (normally {@code context().get(node) + 1}; the max keeps the dot out of its own past when
   * {@code ctx} is ahead of this replica) and its past is {@code ctx}. Siblings whose dot {@code
   * ctx} covers are superseded and dropped; siblings {@code ctx} did not see stay. The new context
   * is {@code context ∪ ctx ∪ {node: counter}}. Two updates with the same {@code ctx} through the
   * same node therefore both survive as siblings.
   *
   * @param ctx the causal context the client read, {@link VectorClock#empty()} for a blind write
   * @param value the new value
   * @param node the id of the coordinating node that issues the dot
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code node} is not a valid node id, its counter would
   *     overflow or the context would exceed {@value VectorClock#MAX_ENTRIES} entries
   */
  public DvvSet<V> update(VectorClock ctx, V value, String node) {
    Objects.requireNonNull(ctx, "ctx must not be null");
    Objects.requireNonNull(value, "value must not be null");
    NodeIds.check(node, "node");
    long seen = Math.max(context.get(node), ctx.get(node));
    if (seen == Long.MAX_VALUE) {
      throw new IllegalArgumentException("counter of node '" + node + "' would overflow");
    }
    return update(ctx, value, new Dot(node, seen + 1));
  }

  /**
   * Returns the set after a write named {@code dot}, as {@link #update(VectorClock, Object, String)}, but
   * with a dot the caller issued. An actor that numbers its writes across all keys (so that the highest
   * counter it ever issued says how far it got) passes its next counter here; the gap it leaves in this
   * key's counters is harmless, since no write of this key can carry the skipped dots.
   *
   * @param ctx the causal context the client read
   * @param value the new value
   * @param dot the new write's dot; its counter must be above what this set and {@code ctx} have seen of its
   *     node
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code dot} was already seen by this set or {@code ctx}, or the
   *     context would exceed {@value VectorClock#MAX_ENTRIES} entries
   */
  public DvvSet<V> update(VectorClock ctx, V value, Dot dot) {
    Objects.requireNonNull(ctx, "ctx must not be null");
    Objects.requireNonNull(value, "value must not be null");
    Objects.requireNonNull(dot, "dot must not be null");
    if (context.covers(dot) || ctx.covers(dot)) {
      throw new IllegalArgumentException("dot " + dot + " was already seen (context " + context + ", ctx "
          + ctx + "): a new write needs a counter above both");
    }
    List<Versioned<V>> next = new ArrayList<>(siblings.size() + 1);
    for (Versioned<V> s : siblings) {
      if (!ctx.covers(s.dot())) {
        next.add(s);
      }
    }
    next.add(new Versioned<>(DottedVersionVector.of(dot, ctx), value));
    next.sort(BY_DOT);
    return new DvvSet<>(context.merge(ctx).withAtLeast(dot.node(), dot.counter()), List.copyOf(next));
  }

  /**
   * Returns the merge of two replicas' sets: a sibling is kept if both sets hold its dot, or if
   * only one holds it and the other's context does not cover it (the other has not seen it, rather
   * than seen and superseded it); the context is the join. Commutative, associative and idempotent.
   * A dot names one write, so when both sets hold a dot the sibling of {@code a} is kept.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the joined context would exceed {@value
   *     VectorClock#MAX_ENTRIES} entries
   */
  public static <V> DvvSet<V> sync(DvvSet<V> a, DvvSet<V> b) {
    Objects.requireNonNull(a, "a must not be null");
    Objects.requireNonNull(b, "b must not be null");
    if (a == b) {
      return a;
    }
    List<Versioned<V>> out = new ArrayList<>(a.siblings.size() + b.siblings.size());
    int i = 0;
    int j = 0;
    while (i < a.siblings.size() || j < b.siblings.size()) {
      Versioned<V> x = i < a.siblings.size() ? a.siblings.get(i) : null;
      Versioned<V> y = j < b.siblings.size() ? b.siblings.get(j) : null;
      int c = x == null ? 1 : y == null ? -1 : x.dot().compareTo(y.dot());
      if (c == 0) {
        out.add(x);
        i++;
        j++;
      } else if (c < 0) {
        keepUnseen(x, b.context, out);
        i++;
      } else {
        keepUnseen(y, a.context, out);
        j++;
      }
    }
    return new DvvSet<>(a.context.merge(b.context), List.copyOf(out));
  }

  private static <V> void keepUnseen(
      Versioned<V> s, VectorClock otherContext, List<Versioned<V>> out) {
    if (!otherContext.covers(s.dot())) {
      out.add(s);
    }
  }

  /**
   * Returns this set without the siblings failing {@code keep}, with the same context: the removed
   * versions stay "seen", so a sync with a replica that still holds them removes them there too.
   * Used for last-write-wins and for collecting tombstones.
   *
   * @throws NullPointerException if {@code keep} is null
   */
  public DvvSet<V> retain(Predicate<Versioned<V>> keep) {
    Objects.requireNonNull(keep, "keep must not be null");
    List<Versioned<V>> kept = siblings.stream().filter(keep).toList();
    return kept.size() == siblings.size() ? this : new DvvSet<>(context, kept);
  }

  /**
   * Returns the binary encoding: format version 1, the context (as in {@link VectorClock#toBytes()}
   * without its version byte), a varint sibling count, then per sibling in dot order: the dot's
   * node as a varint index into the context's nodes, the dot's varint counter, the past, and the
   * value as a varint length followed by the bytes {@code encoder} returned.
   *
   * @throws NullPointerException if {@code encoder} is null or returns null
   */
  public byte[] toBytes(Function<V, byte[]> encoder) {
    Objects.requireNonNull(encoder, "encoder must not be null");
    ByteWriter w = new ByteWriter(64);
    w.writeByte(FORMAT_VERSION);
    ClockCodec.writeClock(w, context);
    w.writeVarLong(siblings.size());
    List<String> nodes = context.nodes();
    for (Versioned<V> s : siblings) {
      w.writeVarLong(Collections.binarySearch(nodes, s.dot().node()));
      w.writeVarLong(s.dot().counter());
      ClockCodec.writeClock(w, s.version().past());
      byte[] value = encoder.apply(s.value());
      if (value == null) {
        throw new NullPointerException("encoder returned null for the value of sibling " + s.dot());
      }
      w.writeBlob(value);
    }
    return w.toByteArray();
  }

  /**
   * Decodes the output of {@link #toBytes(Function)}, checking every invariant of the set. An
   * exception thrown by {@code decoder}, or a null it returns, becomes a {@link
   * ClockEncodingException} naming the sibling.
   *
   * @throws NullPointerException if an argument is null
   * @throws ClockEncodingException if the bytes are not exactly one valid encoding
   */
  public static <V> DvvSet<V> fromBytes(byte[] bytes, Function<byte[], V> decoder) {
    Objects.requireNonNull(decoder, "decoder must not be null");
    ByteReader r = new ByteReader(bytes);
    r.readVersion(FORMAT_VERSION, "DVV set");
    VectorClock context = ClockCodec.readClock(r, "DVV set context");
    int n = r.readCount("DVV set sibling count", Integer.MAX_VALUE, MIN_SIBLING_BYTES);
    List<Versioned<V>> siblings = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      Versioned<V> s = readSibling(r, k, context, decoder);
      if (k > 0 && siblings.get(k - 1).dot().compareTo(s.dot()) >= 0) {
        throw new ClockEncodingException(
            "DVV set siblings are not in strictly increasing dot order at sibling " + k,
            r.offset());
      }
      siblings.add(s);
    }
    r.expectEnd("DVV set");
    return new DvvSet<>(context, List.copyOf(siblings));
  }

  private static <V> Versioned<V> readSibling(
      ByteReader r, int k, VectorClock context, Function<byte[], V> decoder) {
    String what = "DVV set sibling " + k;
    int at = r.offset();
    if (context.isEmpty()) {
      throw new ClockEncodingException(what + " exists but the context is empty", at);
    }
    String node =
        context.idAt((int) r.readVarLong(what + " dot node index", 0, context.size() - 1));
    long counter = r.readVarLong(what + " dot counter", 1, context.get(node));
    Dot dot = new Dot(node, counter);
    int pastAt = r.offset();
    VectorClock past = ClockCodec.readClock(r, what + " past");
    if (past.covers(dot) || !context.descends(past)) {
      throw new ClockEncodingException(
          what + " past " + past + " covers its dot " + dot + " or is not covered by the context",
          pastAt);
    }
    int valueAt = r.offset();
    byte[] raw = r.readBlob(what + " value", Integer.MAX_VALUE);
    return new Versioned<>(DottedVersionVector.of(dot, past), decode(decoder, raw, what, valueAt));
  }

  private static <V> V decode(Function<byte[], V> decoder, byte[] raw, String what, int at) {
    V value;
    try {
      value = decoder.apply(raw);
    } catch (RuntimeException e) {
      throw new ClockEncodingException(
          what + " value could not be decoded: " + e.getMessage(), at, e);
    }
    if (value == null) {
      throw new ClockEncodingException(what + " value decoded to null", at);
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DvvSet<?> d && context.equals(d.context) && siblings.equals(d.siblings);
  }

  @Override
  public int hashCode() {
    return 31 * context.hashCode() + siblings.hashCode();
  }

  /** Returns a readable form, for example {@code DvvSet{context={a:2}, siblings=[(a,2) after {a:1}=x]}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DvvSet{context=").append(context).append(", siblings=[");
    for (int i = 0; i < siblings.size(); i++) {
      Versioned<V> s = siblings.get(i);
      sb.append(i == 0 ? "" : ", ").append(s.version()).append('=').append(s.value());
    }
    return sb.append("]}").toString();
  }
}
