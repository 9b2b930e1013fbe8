package dev.kvstore.core.internal;

import java.time.Duration;

/**
 * The argument checks of the builders (store, node, client, transport): each names the option and its allowed
 * range in the message of the {@link IllegalArgumentException} it throws. Not API. Thread-safe (stateless).
 */
public final class Arguments {
  private Arguments() {}

  /** Returns {@code value} if it is in {@code [min, max]}. */
  public static int checkRange(String name, int value, int min, int max) {
    return (int) checkRange(name, (long) value, min, max);
  }

  /** Returns {@code value} if it is in {@code [min, max]}. */
  public static long checkRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** Returns {@code value} if it is not null and in {@code [min, max]}. */
  public static Duration checkRange(String name, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + describe(min) + " and " + describe(max) + ", got " + value);
    }
    return value;
  }

  /** Returns {@code value} if it is not null and has {@code min} to {@code max} characters. */
  public static String checkLength(String name, String value, int min, int max) {
    if (value == null || value.length() < min || value.length() > max) {
      throw new IllegalArgumentException(name + " must be " + min + " to " + max + " characters, got " + value);
    }
    return value;
  }

  private static String describe(Duration d) {
    if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
      return d.toMillis() + " ms";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toSeconds() + " s";
  }
}
