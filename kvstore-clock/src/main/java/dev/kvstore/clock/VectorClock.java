package dev.kvstore.clock;

import dev.kvstore.clock.internal.ByteReader;
import dev.kvstore.clock.internal.ByteWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A vector clock: an immutable map from node id to a positive event counter, absent entries meaning
 * 0. {@link #compare} is the partial order of Mattern and Fidge: {@code a} is {@code BEFORE b} iff
 * every entry of {@code a} is at most the same entry of {@code b} and at least one is smaller. A
 * vector clock is deliberately not {@link Comparable}.
 *
 * <p>Node ids are non-empty strings of at most 255 UTF-8 bytes; a clock has at most {@value
 * #MAX_ENTRIES} entries. Text form: {@code {a:2, b:1}} sorted by node id, {@code {}} when empty.
 *
 * <p>Immutable and thread-safe.
 *
 * <p>Implementation notes: entries are kept as two parallel arrays sorted by node id, without zero
 * counters, so equal clocks have equal arrays and every binary operation is one linear merge walk.
 */
public final class VectorClock {
  /** The largest number of entries a clock may have (and an encoding may declare). */
  public static final int MAX_ENTRIES = 4096;

  static final int FORMAT_VERSION = 1;
  private static final VectorClock EMPTY = new VectorClock(new String[0], new long[0]);

  private final String[] ids;
  private final long[] counters;

  /** Trusted constructor: arrays are owned, sorted, unique, positive, within limits. */
  VectorClock(String[] ids, long[] counters) {
    this.ids = ids;
    this.counters = counters;
  }

  /** Returns the clock with no entries, which is before every other clock. */
  public static VectorClock empty() {
    return EMPTY;
  }

  /**
   * Returns a clock with the given entries; zero counters are dropped.
   *
   * @throws NullPointerException if {@code entries}, a key or a value is null
   * @throws IllegalArgumentException if a node id is invalid, a counter is negative, or there are
   *     more than {@value #MAX_ENTRIES} non-zero entries
   */
  public static VectorClock of(Map<String, Long> entries) {
    if (entries == null) {
      throw new NullPointerException("entries must not be null");
    }
    TreeMap<String, Long> sorted = new TreeMap<>();
    for (Map.Entry<String, Long> e : entries.entrySet()) {
      String node = NodeIds.check(e.getKey(), "node id");
      Long counter = e.getValue();
      if (counter == null) {
        throw new NullPointerException("counter of node '" + node + "' must not be null");
      }
      if (counter < 0) {
        throw new IllegalArgumentException(
            "counter of node '" + node + "' must be >= 0, got " + counter);
      }
      if (counter > 0) {
        sorted.put(node, counter);
      }
    }
    return fromSorted(sorted);
  }

  /**
   * Parses the text form: {@code {a:2, b:1}}, the same without braces ({@code a:2,b:1}), or {@code
   * {}}. Whitespace around entries is ignored; zero counters are dropped. Node ids containing
   * {@code :}, {@code ,}, braces or surrounding whitespace cannot be written in this form.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if the text is malformed, naming the bad entry
   */
  public static VectorClock parse(String text) {
    if (text == null) {
      throw new NullPointerException("text must not be null");
    }
    String body = text.strip();
    if (body.startsWith("{") != body.endsWith("}") || body.equals("{") || body.equals("}")) {
      throw new IllegalArgumentException("unbalanced braces in vector clock '" + text + "'");
    }
    if (body.startsWith("{")) {
      body = body.substring(1, body.length() - 1).strip();
    }
    if (body.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, Long> sorted = new TreeMap<>();
    for (String entry : body.split(",", -1)) {
      parseEntry(entry.strip(), text, sorted);
    }
    return fromSorted(sorted);
  }

  private static void parseEntry(String entry, String text, Map<String, Long> into) {
    int colon = entry.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "entry '" + entry + "' in vector clock '" + text + "' is not of the form node:counter");
    }
    String node = entry.substring(0, colon).strip();
    String number = entry.substring(colon + 1).strip();
    if (node.isEmpty() || node.contains("{") || node.contains("}") || node.contains(":")) {
      throw new IllegalArgumentException(
          "entry '" + entry + "' in vector clock '" + text + "' has an invalid node id");
    }
    NodeIds.check(node, "node id '" + node + "'");
    long counter;
    try {
      counter = Long.parseLong(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "entry '" + entry + "' in vector clock '" + text + "' has a counter that is not a number",
          e);
    }
    if (counter < 0) {
      throw new IllegalArgumentException(
          "entry '" + entry + "' in vector clock '" + text + "' has a negative counter");
    }
    if (into.containsKey(node)) {
      throw new IllegalArgumentException(
          "node '" + node + "' appears twice in vector clock '" + text + "'");
    }
    into.put(node, counter);
  }

  private static VectorClock fromSorted(TreeMap<String, Long> sorted) {
    sorted.values().removeIf(c -> c == 0);
    checkSize(sorted.size());
    if (sorted.isEmpty()) {
      return EMPTY;
    }
    String[] ids = new String[sorted.size()];
    long[] counters = new long[sorted.size()];
    int i = 0;
    for (Map.Entry<String, Long> e : sorted.entrySet()) {
      ids[i] = e.getKey();
      counters[i++] = e.getValue();
    }
    return new VectorClock(ids, counters);
  }

  private static void checkSize(int size) {
    if (size > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "a vector clock has at most " + MAX_ENTRIES + " entries, this one would have " + size);
    }
  }

  /**
   * Returns the counter of {@code node}, 0 when absent.
   *
   * @throws NullPointerException if {@code node} is null
   */
  public long get(String node) {
    if (node == null) {
      throw new NullPointerException("node must not be null");
    }
    int i = Arrays.binarySearch(ids, node);
    return i >= 0 ? counters[i] : 0;
  }

  /** Returns the node ids with a non-zero counter, sorted. */
  public List<String> nodes() {
    return List.of(ids);
  }

  /** Returns the number of non-zero entries. */
  public int size() {
    return ids.length;
  }

  /** Returns whether every counter is 0. */
  public boolean isEmpty() {
    return ids.length == 0;
  }

  /** Returns the entries as an unmodifiable map sorted by node id. */
  public Map<String, Long> toMap() {
    TreeMap<String, Long> map = new TreeMap<>();
    for (int i = 0; i < ids.length; i++) {
      map.put(ids[i], counters[i]);
    }
    return Collections.unmodifiableSortedMap(map);
  }

  /**
   * Returns this clock with {@code node}'s counter one higher: the rule for a new event at {@code
   * node}.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code node} is not a valid node id, the counter is at
   *     {@link Long#MAX_VALUE}, or the clock is full
   */
  public VectorClock increment(String node) {
    NodeIds.check(node, "node");
    int i = Arrays.binarySearch(ids, node);
    if (i >= 0) {
      if (counters[i] == Long.MAX_VALUE) {
        throw new IllegalArgumentException("counter of node '" + node + "' would overflow");
      }
      long[] c = counters.clone();
      c[i]++;
      return new VectorClock(ids, c);
    }
    return withNew(-i - 1, node, 1);
  }

  /**
   * Returns this clock with {@code node}'s counter raised to at least {@code counter}: the join
   * with the single entry {@code node:counter}.
   *
   * @throws NullPointerException if {@code node} is null
   * @throws IllegalArgumentException if {@code node} is invalid, {@code counter} is negative, or
   *     the clock is full
   */
  public VectorClock withAtLeast(String node, long counter) {
    NodeIds.check(node, "node");
    if (counter < 0) {
      throw new IllegalArgumentException("counter must be >= 0, got " + counter);
    }
    int i = Arrays.binarySearch(ids, node);
    if (i >= 0) {
      if (counters[i] >= counter) {
        return this;
      }
      long[] c = counters.clone();
      c[i] = counter;
      return new VectorClock(ids, c);
    }
    return counter == 0 ? this : withNew(-i - 1, node, counter);
  }

  private VectorClock withNew(int at, String node, long counter) {
    checkSize(ids.length + 1);
    String[] newIds = new String[ids.length + 1];
    long[] newCounters = new long[ids.length + 1];
    System.arraycopy(ids, 0, newIds, 0, at);
    System.arraycopy(counters, 0, newCounters, 0, at);
    newIds[at] = node;
    newCounters[at] = counter;
    System.arraycopy(ids, at, newIds, at + 1, ids.length - at);
    System.arraycopy(counters, at, newCounters, at + 1, ids.length - at);
    return new VectorClock(newIds, newCounters);
  }

  /**
   * Returns the entry-wise maximum of the two clocks: the least clock that is after-or-equal both.
   *
   * @throws NullPointerException if {@code other} is null
   * @throws IllegalArgumentException if the result would have more than {@value #MAX_ENTRIES}
   *     entries
   */
  public VectorClock merge(VectorClock other) {
    if (other == null) {
      throw new NullPointerException("other must not be null");
    }
    if (other.ids.length == 0 || other == this) {
      return this;
    }
    if (ids.length == 0) {
      return other;
    }
    if (ids == other.ids || Arrays.equals(ids, other.ids)) {
      return mergeSameNodes(other);
    }
    String[] outIds = new String[ids.length + other.ids.length];
    long[] outCounters = new long[outIds.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < ids.length || j < other.ids.length) {
      int c = i == ids.length ? 1 : j == other.ids.length ? -1 : ids[i].compareTo(other.ids[j]);
      if (c < 0) {
        outIds[n] = ids[i];
        outCounters[n++] = counters[i++];
      } else if (c > 0) {
        outIds[n] = other.ids[j];
        outCounters[n++] = other.counters[j++];
      } else {
        outIds[n] = ids[i];
        outCounters[n++] = Math.max(counters[i++], other.counters[j++]);
      }
    }
    checkSize(n);
    return new VectorClock(Arrays.copyOf(outIds, n), Arrays.copyOf(outCounters, n));
  }

  /** Merge when both clocks have the same nodes (the common case): no id array is copied. */
  private VectorClock mergeSameNodes(VectorClock other) {
    long[] out = null;
    boolean fromOther = false;
    for (int i = 0; i < counters.length; i++) {
      if (other.counters[i] > counters[i]) {
        if (out == null) {
          out = counters.clone();
        }
        out[i] = other.counters[i];
        fromOther = true;
      }
    }
    if (!fromOther) {
      return this;
    }
    return Arrays.equals(out, other.counters) ? other : new VectorClock(ids, out);
  }

  /**
   * Returns the causal relation of this clock to {@code other}: {@code BEFORE} iff this {@code <}
   * other (every entry {@code <=}, one {@code <}), {@code AFTER} iff this {@code >} other, {@code
   * EQUAL} iff all entries are equal, {@code CONCURRENT} otherwise.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public Causality compare(VectorClock other) {
    if (other == null) {
      throw new NullPointerException("other must not be null");
    }
    boolean less = false;
    boolean greater = false;
    int i = 0;
    int j = 0;
    while ((i < ids.length || j < other.ids.length) && !(less && greater)) {
      int c = i == ids.length ? 1 : j == other.ids.length ? -1 : ids[i].compareTo(other.ids[j]);
      if (c < 0) {
        greater = true;
        i++;
      } else if (c > 0) {
        less = true;
        j++;
      } else {
        long a = counters[i++];
        long b = other.counters[j++];
        less |= a < b;
        greater |= a > b;
      }
    }
    if (less) {
      return greater ? Causality.CONCURRENT : Causality.BEFORE;
    }
    return greater ? Causality.AFTER : Causality.EQUAL;
  }

  /**
   * Returns whether this clock is strictly before {@code other}.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public boolean happenedBefore(VectorClock other) {
    return compare(other) == Causality.BEFORE;
  }

  /**
   * Returns whether neither clock is before-or-equal the other.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public boolean isConcurrentWith(VectorClock other) {
    return compare(other) == Causality.CONCURRENT;
  }

  /**
   * Returns whether this clock is after-or-equal {@code other}: every entry at least {@code
   * other}'s.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public boolean descends(VectorClock other) {
    Causality c = compare(other);
    return c == Causality.AFTER || c == Causality.EQUAL;
  }

  /**
   * Returns whether this clock has seen the event {@code dot}: {@code dot.counter() <=
   * get(dot.node())}.
   *
   * @throws NullPointerException if {@code dot} is null
   */
  public boolean covers(Dot dot) {
    if (dot == null) {
      throw new NullPointerException("dot must not be null");
    }
    return dot.counter() <= get(dot.node());
  }

  /**
   * Returns the binary encoding: format version 1, a varint entry count, then per entry in node
   * order the varint length of the UTF-8 node id, its bytes, and the varint counter.
   */
  public byte[] toBytes() {
    var w = new ByteWriter(1 + 8 * ids.length);
    w.writeByte(FORMAT_VERSION);
    ClockCodec.writeClock(w, this);
    return w.toByteArray();
  }

  /**
   * Decodes the output of {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ClockEncodingException if the bytes are not exactly one valid vector clock encoding
   */
  public static VectorClock fromBytes(byte[] bytes) {
    var r = new ByteReader(bytes);
    r.readVersion(FORMAT_VERSION, "vector clock");
    VectorClock clock = ClockCodec.readClock(r, "vector clock");
    r.expectEnd("vector clock");
    return clock;
  }

  String idAt(int i) {
    return ids[i];
  }

  long counterAt(int i) {
    return counters[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorClock v
        && Arrays.equals(ids, v.ids)
        && Arrays.equals(counters, v.counters);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(counters);
  }

  /** Returns the text form, for example {@code {a:2, b:1}}, or {@code {}} when empty. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      parts.add(ids[i] + ":" + counters[i]);
    }
    return "{" + String.join(", ", parts) + "}";
  }
}
