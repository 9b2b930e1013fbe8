package dev.kvstore.clock;

import dev.kvstore.clock.internal.ByteReader;
import dev.kvstore.clock.internal.ByteWriter;

/**
 * The body encodings shared by the clock types (without the leading format-version byte). Each
 * reader checks the invariants of its type, so a decoded value is as trustworthy as a constructed
 * one.
 *
 * <p>Stateless and thread-safe.
 */
final class ClockCodec {
  /** Smallest encoded clock entry: 1-byte length, 1-byte id, 1-byte counter. */
  private static final int MIN_ENTRY_BYTES = 3;

  private ClockCodec() {}

  static void writeClock(ByteWriter w, VectorClock clock) {
    w.writeVarLong(clock.size());
    for (int i = 0; i < clock.size(); i++) {
      w.writeString(clock.idAt(i));
      w.writeVarLong(clock.counterAt(i));
    }
  }

  static VectorClock readClock(ByteReader r, String what) {
    int n = r.readCount(what + " entry count", VectorClock.MAX_ENTRIES, MIN_ENTRY_BYTES);
    String[] ids = new String[n];
    long[] counters = new long[n];
    for (int i = 0; i < n; i++) {
      int at = r.offset();
      ids[i] = readNodeId(r, what + " node id");
      if (i > 0 && ids[i - 1].compareTo(ids[i]) >= 0) {
        throw new ClockEncodingException(
            what
                + " node ids are not strictly increasing ('"
                + ids[i - 1]
                + "' then '"
                + ids[i]
                + "')",
            at);
      }
      counters[i] = r.readVarLong(what + " counter of '" + ids[i] + "'", 1, Long.MAX_VALUE);
    }
    return n == 0 ? VectorClock.empty() : new VectorClock(ids, counters);
  }

  static String readNodeId(ByteReader r, String what) {
    int at = r.offset();
    String id = r.readString(what, 1, NodeIds.MAX_UTF8_BYTES);
    try {
      return NodeIds.check(id, what);
    } catch (IllegalArgumentException e) {
      throw new ClockEncodingException(e.getMessage(), at, e);
    }
  }

  static void writeDot(ByteWriter w, Dot dot) {
    w.writeString(dot.node());
    w.writeVarLong(dot.counter());
  }

  static Dot readDot(ByteReader r, String what) {
    String node = readNodeId(r, what + " node id");
    long counter = r.readVarLong(what + " counter", 1, Long.MAX_VALUE);
    return new Dot(node, counter);
  }
}
