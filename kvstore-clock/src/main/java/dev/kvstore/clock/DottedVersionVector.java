package dev.kvstore.clock;

import dev.kvstore.clock.internal.ByteReader;
import dev.kvstore.clock.internal.ByteWriter;
import java.util.Objects;

/**
 * A dotted version vector (Preguiça, Baquero et al.): the {@link Dot} that names one write event
 * plus the causal {@link #past()} it was written with. Unlike a plain version vector it tells apart
 * two writes made through the same node with the same past: they get different dots and are
 * concurrent.
 *
 * <p>Invariant: the past does not contain the dot ({@code past.get(dot.node()) < dot.counter()}).
 *
 * <p>Immutable and thread-safe.
 */
public final class DottedVersionVector {
  static final int FORMAT_VERSION = 1;

  private final Dot dot;
  private final VectorClock past;

  private DottedVersionVector(Dot dot, VectorClock past) {
    this.dot = dot;
    this.past = past;
  }

  /**
   * Returns the version of the write event {@code dot} made with causal past {@code past}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code past} already covers {@code dot}
   */
  public static DottedVersionVector of(Dot dot, VectorClock past) {
    Objects.requireNonNull(dot, "dot must not be null");
    Objects.requireNonNull(past, "past must not be null");
    if (past.covers(dot)) {
      throw new IllegalArgumentException(
          "past " + past + " must not cover the dot " + dot + " (an event is not in its own past)");
    }
    return new DottedVersionVector(dot, past);
  }

  /** Returns the dot naming this write event. */
  public Dot dot() {
    return dot;
  }

  /** Returns the causal past the event was written with (not including the dot). */
  public VectorClock past() {
    return past;
  }

  /** Returns the past joined with the dot, the plain vector clock of the event, for humans. */
  public VectorClock toVectorClock() {
    return past.withAtLeast(dot.node(), dot.counter());
  }

  /**
   * Returns the causal relation of this event to {@code other}'s: {@code EQUAL} iff the dots are
   * equal (a dot names exactly one event), {@code BEFORE} iff {@code other}'s past covers this dot,
   * {@code AFTER} iff this past covers {@code other}'s dot, otherwise {@code CONCURRENT}. Versions
   * whose pasts cover each other's dots cannot come from one history; they are reported {@code
   * CONCURRENT}.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public Causality compare(DottedVersionVector other) {
    Objects.requireNonNull(other, "other must not be null");
    if (dot.equals(other.dot)) {
      return Causality.EQUAL;
    }
    boolean before = other.past.covers(dot);
    boolean after = past.covers(other.dot);
    if (before == after) {
      return Causality.CONCURRENT;
    }
    return before ? Causality.BEFORE : Causality.AFTER;
  }

  /**
   * Returns the binary encoding: format version 1, the dot (varint-length UTF-8 node id, varint
   * counter), then the past as in {@link VectorClock#toBytes()} without its version byte.
   */
  public byte[] toBytes() {
    ByteWriter w = new ByteWriter(16 + 8 * past.size());
    w.writeByte(FORMAT_VERSION);
    ClockCodec.writeDot(w, dot);
    ClockCodec.writeClock(w, past);
    return w.toByteArray();
  }

  /**
   * Decodes the output of {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ClockEncodingException if the bytes are not exactly one valid encoding
   */
  public static DottedVersionVector fromBytes(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    r.readVersion(FORMAT_VERSION, "dotted version vector");
    DottedVersionVector v = read(r, "dotted version vector");
    r.expectEnd("dotted version vector");
    return v;
  }

  static DottedVersionVector read(ByteReader r, String what) {
    int at = r.offset();
    Dot dot = ClockCodec.readDot(r, what + " dot");
    VectorClock past = ClockCodec.readClock(r, what + " past");
    if (past.covers(dot)) {
      throw new ClockEncodingException(what + " past " + past + " covers its own dot " + dot, at);
    }
    return new DottedVersionVector(dot, past);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DottedVersionVector d && dot.equals(d.dot) && past.equals(d.past);
  }

  @Override
  public int hashCode() {
    return 31 * dot.hashCode() + past.hashCode();
  }

  /**
   * Returns the version as {@code (node,counter) after past}, for example {@code (a,3) after {a:2, b:1}}:
   * the write event {@code a:3}, made by a writer that had seen {@code a:2} and {@code b:1} (and not {@code
   * a:3} itself, which a plain vector clock {@code {a:3, b:1}} could not tell).
   */
  @Override
  public String toString() {
    return "(" + dot.node() + "," + dot.counter() + ") after " + past;
  }
}
