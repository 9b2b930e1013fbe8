package dev.kvstore.core;

import dev.kvstore.clock.Causality;
import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DottedVersionVector;
import dev.kvstore.clock.VectorClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One live sibling of a key: its value and its exact causal history.
 *
 * <p>The history is a {@link DottedVersionVector}: the {@link #dot()} that names the write (the actor that
 * coordinated it and that actor's counter) and the causal {@link #past()} the writer had seen when it wrote.
 * {@link #compare(Version)} answers by the rules of dotted version vectors: this version happened before
 * {@code other} exactly when {@code other}'s past contains this version's dot. Two live siblings of one key
 * therefore always compare {@link Causality#CONCURRENT}, even when one coordinator wrote both (its dots
 * {@code (n1.x,3)} and {@code (n1.x,4)} are then two writes, neither of which had seen the other).
 *
 * <p>A plain vector clock cannot say that: joining the dot into the past ({@link #joinedClock()}) gives
 * {@code {n1.x:3}} and {@code {n1.x:4}}, which a vector comparison orders although neither write saw the
 * other. Use {@link #compare(Version)}, never a comparison of joined clocks, to decide which siblings a
 * resolution may drop.
 *
 * <p>A value a {@link ConflictResolver} produced is not a stored version: its dot is the placeholder
 * {@code (resolved,1)} and its past everything the read saw, so it compares AFTER each sibling it resolved;
 * compare it only with those. Immutable and thread-safe.
 */
public final class Version {
  private final byte[] value;
  private final DottedVersionVector history;
  private final Instant writtenAt;

  /**
   * Creates a version; the value is copied.
   *
   * @param value the value
   * @param history the dot that wrote it and the causal past it was written with
   * @param writtenAt when the writer wrote it, by its hybrid logical clock
   * @throws NullPointerException if an argument is null
   */
  public Version(byte[] value, DottedVersionVector history, Instant writtenAt) {
    this.value = Objects.requireNonNull(value, "value").clone();
    this.history = Objects.requireNonNull(history, "history");
    this.writtenAt = Objects.requireNonNull(writtenAt, "writtenAt");
  }

  /** A copy of the value. */
  public byte[] value() {
    return value.clone();
  }

  /** The value decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The exact causal history: the dot that wrote this version and the past it was written with. */
  public DottedVersionVector history() {
    return history;
  }

  /** The dot that names the write of this version: the coordinating actor and its counter. */
  public Dot dot() {
    return history.dot();
  }

  /** The causal past this version was written with: every version its writer had seen (not its own dot). */
  public VectorClock past() {
    return history.past();
  }

  /**
   * The past joined with the dot, as one vector clock. Lossy: it shows which writes this version's history
   * includes, but not that the newest entry of its writer is this version's own write rather than one it had
   * seen, so two siblings through one coordinator compare BEFORE by their joined clocks although they are
   * concurrent. For display; decide causality with {@link #compare(Version)}.
   */
  public VectorClock joinedClock() {
    return history.toVectorClock();
  }

  /**
   * The causal relation of this version to {@code other}, by dotted version vector rules: {@code EQUAL} for
   * the same dot, {@code BEFORE} when {@code other}'s past contains this dot, {@code AFTER} when this past
   * contains {@code other}'s dot, otherwise {@code CONCURRENT}.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public Causality compare(Version other) {
    return history.compare(Objects.requireNonNull(other, "other").history);
  }

  /**
   * True when neither version happened before the other (always so for two live siblings of one key).
   *
   * @throws NullPointerException if {@code other} is null
   */
  public boolean isConcurrentWith(Version other) {
    return compare(other) == Causality.CONCURRENT;
  }

  /** The actor id (node id and incarnation) that wrote this version: the node of its {@link #dot()}. */
  public String writer() {
    return history.dot().node();
  }

  /** When the writer wrote it, by its hybrid logical clock. */
  public Instant writtenAt() {
    return writtenAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v
        && Arrays.equals(value, v.value)
        && history.equals(v.history)
        && writtenAt.equals(v.writtenAt);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + history.hashCode();
  }

  /** The value and the history, for example {@code "v2" (n3.1-94a468,4) after {n1.1-x7k2p9:2}}. */
  @Override
  public String toString() {
    return '"' + valueAsString() + "\" " + history;
  }
}
