package dev.kvstore.clock;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Seeded generators of clock values over a small node alphabet, so that clocks overlap. */
final class Gen {
  static final List<String> NODES = List.of("a", "b", "c", "d");

  /** Unusual but valid node ids, for encodings: multi-byte UTF-8 and the 255-byte maximum. */
  static final List<String> ODD_NODES =
      List.of("ä", "日本", "\uD83D\uDE00", "x".repeat(255), "é".repeat(127), "n:1");

  private Gen() {}

  /**
   * Returns a clock over {@code nodeCount} of {@link #NODES} with counters in {@code
   * 0..maxCounter}.
   */
  static VectorClock clock(SplittableRandom rnd, int nodeCount, int maxCounter) {
    TreeMap<String, Long> m = new TreeMap<>();
    for (String n : NODES.subList(0, nodeCount)) {
      m.put(n, (long) rnd.nextInt(maxCounter + 1));
    }
    return VectorClock.of(m);
  }

  /** Returns a clock that mixes the usual and the odd node ids, with small and huge counters. */
  static VectorClock anyClock(SplittableRandom rnd) {
    TreeMap<String, Long> m = new TreeMap<>();
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      String node =
          rnd.nextBoolean()
              ? NODES.get(rnd.nextInt(NODES.size()))
              : ODD_NODES.get(rnd.nextInt(ODD_NODES.size()));
      m.put(node, counter(rnd));
    }
    return VectorClock.of(m);
  }

  static long counter(SplittableRandom rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> Long.MAX_VALUE - rnd.nextInt(3);
      case 1 -> 1L << rnd.nextInt(63);
      default -> rnd.nextInt(300);
    };
  }

  /** Returns a valid dotted version vector with a random dot and past. */
  static DottedVersionVector dvv(SplittableRandom rnd) {
    VectorClock past = anyClock(rnd);
    String node = rnd.nextBoolean() ? NODES.get(rnd.nextInt(NODES.size())) : ODD_NODES.get(0);
    long seen = past.get(node);
    if (seen > Long.MAX_VALUE - 3) {
      return DottedVersionVector.of(new Dot("z", 1 + rnd.nextInt(5)), past); // "z" is never in past
    }
    return DottedVersionVector.of(new Dot(node, seen + 1 + rnd.nextInt(3)), past);
  }

  /** Returns a random element of {@code list}. */
  static <T> T pick(SplittableRandom rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  /** Returns random bytes of length {@code 0..maxLength}. */
  static byte[] bytes(SplittableRandom rnd, int maxLength) {
    byte[] b = new byte[rnd.nextInt(maxLength + 1)];
    rnd.nextBytes(b);
    return b;
  }
}
