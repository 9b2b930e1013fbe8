package dev.kvstore.core;

import dev.kvstore.clock.VectorClock;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The causal context of a read: every version the reader has seen, as a version vector, plus the scope
 * (the store or cluster) it belongs to. Pass it back with the next write of the same key; the write
 * then supersedes exactly those versions.
 *
 * <p>Opaque to applications but serializable ({@link #toBytes()}/{@link #fromBytes(byte[])}) so a
 * client can carry it through a web page or a queue. {@link #empty()} is the context of a writer that has
 * seen nothing; it is accepted by every store. Immutable and thread-safe.
 */
public final class Context {
  private static final byte FORMAT = 1;
  private static final int MAX_SCOPE_BYTES = 255;
  private static final Context EMPTY = new Context("", VectorClock.empty());

  private final String scope;
  private final VectorClock clock;

  private Context(String scope, VectorClock clock) {
    this.scope = scope;
    this.clock = clock;
  }

  /** The context of a writer that has seen nothing: a put with it supersedes nothing. */
  public static Context empty() {
    return EMPTY;
  }

  /**
   * A context seen in {@code scope} (a store or cluster id). Used by stores and nodes; applications get
   * contexts from reads.
   *
   * @throws IllegalArgumentException if the scope is longer than 255 UTF-8 bytes
   */
  public static Context of(String scope, VectorClock clock) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(clock, "clock");
    if (scope.getBytes(StandardCharsets.UTF_8).length > MAX_SCOPE_BYTES) {
      throw new IllegalArgumentException("context scope must be at most 255 UTF-8 bytes");
    }
    if (scope.isEmpty() && !clock.isEmpty()) {
      throw new IllegalArgumentException("a context that has seen versions must name its store or cluster");
    }
    return scope.isEmpty() && clock.isEmpty() ? EMPTY : new Context(scope, clock);
  }

  /** The store or cluster id this context belongs to; empty for {@link #empty()}. */
  public String scope() {
    return scope;
  }

  /** The versions seen, as a vector clock (actor id to counter). */
  public VectorClock clock() {
    return clock;
  }

  /** True for a context that has seen nothing. */
  public boolean isEmpty() {
    return clock.isEmpty();
  }

  /** Encodes the context: a format byte, the scope, the clock. */
  public byte[] toBytes() {
    byte[] s = scope.getBytes(StandardCharsets.UTF_8);
    byte[] c = clock.toBytes();
    return ByteBuffer.allocate(2 + s.length + c.length).put(FORMAT).put((byte) s.length).put(s).put(c).array();
  }

  /**
   * Decodes bytes made by {@link #toBytes()}. Every context has exactly one encoding: anything else, a scope that
   * is not valid UTF-8 included, is refused.
   *
   * @throws InvalidRequestException if the bytes are not a context
   */
  public static Context fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length < 2 || bytes[0] != FORMAT) {
      throw new InvalidRequestException(
          InvalidRequestException.Reason.OTHER, "not a kvstore context: bad or missing format byte");
    }
    int scopeLength = bytes[1] & 0xFF;
    if (2 + scopeLength > bytes.length) {
      throw new InvalidRequestException(
          InvalidRequestException.Reason.OTHER, "not a kvstore context: truncated scope");
    }
    String scope;
    try { // strict: malformed UTF-8 is refused, not replaced, so a context has one encoding
      scope = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 2, scopeLength)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException(
          InvalidRequestException.Reason.OTHER, "not a kvstore context: the scope is not valid UTF-8");
    }
    byte[] rest = java.util.Arrays.copyOfRange(bytes, 2 + scopeLength, bytes.length);
    try {
      return of(scope, VectorClock.fromBytes(rest));
    } catch (IllegalArgumentException e) { // ClockEncodingException or a scope-less non-empty clock
      throw new InvalidRequestException(
          InvalidRequestException.Reason.OTHER, "not a kvstore context: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Context other && scope.equals(other.scope) && clock.equals(other.clock);
  }

  @Override
  public int hashCode() {
    return scope.hashCode() * 31 + clock.hashCode();
  }

  @Override
  public String toString() {
    return clock.toString();
  }
}
