package dev.kvstore.clock;

/** Readable test helpers: {@code clock("a:2", "b:1")}. */
final class Clocks {
  private Clocks() {}

  static VectorClock clock(String... entries) {
    return VectorClock.parse(String.join(",", entries));
  }

  static Dot dot(String text) {
    int colon = text.lastIndexOf(':');
    return new Dot(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
  }
}
