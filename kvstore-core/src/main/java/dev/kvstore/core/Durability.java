package dev.kvstore.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When a write counts as done, relative to the disk.
 *
 * <ul>
 *   <li>{@link #ALWAYS} (the default): a write completes only after its log record is forced to disk.
 *       Concurrent writes share one {@code force()} (group commit), so this costs far less than one
 *       fsync per write.
 *   <li>{@link #every(Duration)}: a write completes once written to the operating system; the log is
 *       forced at that interval. A machine crash loses at most that window; a process crash loses nothing.
 *   <li>{@link #NEVER}: the log is written but only forced when a segment is rolled or the store closes.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class Durability {
  /** Force the log before a write completes (group commit). */
  public static final Durability ALWAYS = new Durability(Mode.ALWAYS, Duration.ZERO);

  /** Never force the log on the write path. */
  public static final Durability NEVER = new Durability(Mode.NEVER, Duration.ZERO);

  /** The three policies. */
  public enum Mode {
    /** Force before completing each write. */
    ALWAYS,
    /** Force periodically. */
    PERIODIC,
    /** Do not force on the write path. */
    NEVER
  }

  private final Mode mode;
  private final Duration interval;

  private Durability(Mode mode, Duration interval) {
    this.mode = mode;
    this.interval = interval;
  }

  /**
   * Forces the log every {@code interval}; writes complete once handed to the operating system.
   *
   * @throws IllegalArgumentException if the interval is null, zero or negative
   */
  public static Durability every(Duration interval) {
    if (interval == null || interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("durability interval must be positive, got " + interval);
    }
    return new Durability(Mode.PERIODIC, interval);
  }

  /**
   * Parses {@code always}, {@code never} or a duration such as {@code every:10ms} / {@code every:1s}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Durability parse(String text) {
    String t = Objects.requireNonNull(text, "durability").trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("always")) {
      return ALWAYS;
    }
    if (t.equals("never")) {
      return NEVER;
    }
    if (t.startsWith("every:")) {
      String d = t.substring("every:".length());
      try {
        if (d.endsWith("ms")) {
          return every(Duration.ofMillis(Long.parseLong(d.substring(0, d.length() - 2))));
        }
        if (d.endsWith("s")) {
          return every(Duration.ofSeconds(Long.parseLong(d.substring(0, d.length() - 1))));
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException(
        "durability must be 'always', 'never' or 'every:<n>ms' / 'every:<n>s', got '" + text + "'");
  }

  /** The policy. */
  public Mode mode() {
    return mode;
  }

  /** The force interval for {@link Mode#PERIODIC}; zero otherwise. */
  public Duration interval() {
    return interval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Durability d && d.mode == mode && d.interval.equals(interval);
  }

  @Override
  public int hashCode() {
    return mode.hashCode() * 31 + interval.hashCode();
  }

  @Override
  public String toString() {
    return switch (mode) {
      case ALWAYS -> "always";
      case NEVER -> "never";
      case PERIODIC -> "every:" + interval.toMillis() + "ms";
    };
  }
}
