package dev.kvstore.core;

import dev.kvstore.clock.VectorClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * One live sibling of a key: its value and its version.
 *
 * <p>{@link #clock()} shows the version for humans as a vector clock (the writer's dot joined with the
 * causal past it was written with); {@link #writer()} is the actor that wrote it and {@link
 * #writtenAt()} the writer's hybrid logical time, physical part. Immutable and thread-safe.
 */
public final class Version {
  private final byte[] value;
  private final VectorClock clock;
  private final String writer;
  private final Instant writtenAt;

  /** Creates a version; the value is copied. */
  public Version(byte[] value, VectorClock clock, String writer, Instant writtenAt) {
    this.value = value.clone();
    this.clock = clock;
    this.writer = writer;
    this.writtenAt = writtenAt;
  }

  /** A copy of the value. */
  public byte[] value() {
    return value.clone();
  }

  /** The value decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The version as a vector clock. */
  public VectorClock clock() {
    return clock;
  }

  /** The actor id (node id and incarnation) that wrote this version. */
  public String writer() {
    return writer;
  }

  /** When the writer wrote it, by its hybrid logical clock. */
  public Instant writtenAt() {
    return writtenAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v
        && Arrays.equals(value, v.value)
        && clock.equals(v.clock)
        && writer.equals(v.writer)
        && writtenAt.equals(v.writtenAt);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + clock.hashCode();
  }

  @Override
  public String toString() {
    return valueAsString() + " " + clock;
  }
}
