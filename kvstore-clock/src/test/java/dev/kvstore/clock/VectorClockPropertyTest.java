package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.Seeds;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The algebra of vector clocks over many seeds ({@code -Dkvstore.seed=<n>} replays one). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VectorClockPropertyTest {
  private static final int SEEDS = 1000;

  private static VectorClock small(SplittableRandom rnd) {
    return Gen.clock(rnd, 2 + rnd.nextInt(3), 2);
  }

  /** An independent definition of the order: entry-wise over the union of nodes. */
  private static Causality reference(VectorClock a, VectorClock b) {
    boolean le = true;
    boolean ge = true;
    for (String n : Gen.NODES) {
      le &= a.get(n) <= b.get(n);
      ge &= a.get(n) >= b.get(n);
    }
    return le && ge
        ? Causality.EQUAL
        : le ? Causality.BEFORE : ge ? Causality.AFTER : Causality.CONCURRENT;
  }

  @Test
  void compareAgreesWithTheEntryWiseDefinition() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          VectorClock b = small(rnd);
          assertThat(a.compare(b)).as("%s vs %s", a, b).isEqualTo(reference(a, b));
        });
  }

  @Test
  void compareIsReflexiveAndMirrored() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          VectorClock b = small(rnd);
          assertThat(a.compare(VectorClock.of(a.toMap()))).isEqualTo(Causality.EQUAL);
          assertThat(b.compare(a)).as("%s vs %s", b, a).isEqualTo(a.compare(b).mirror());
        });
  }

  @Test
  void compareIsAntisymmetric() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          VectorClock b = small(rnd);
          if (a.descends(b) && b.descends(a)) {
            assertThat(a).isEqualTo(b);
          }
          assertThat(a.compare(b) == Causality.EQUAL).isEqualTo(a.equals(b));
        });
  }

  @Test
  void happenedBeforeIsTransitive() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          // build b >= a and c >= b often, so the premise holds in most seeds
          VectorClock b = rnd.nextBoolean() ? a.merge(small(rnd)) : small(rnd);
          VectorClock c = rnd.nextBoolean() ? b.merge(small(rnd)) : small(rnd);
          if (a.happenedBefore(b) && b.happenedBefore(c)) {
            assertThat(a.happenedBefore(c)).as("%s < %s < %s", a, b, c).isTrue();
          }
          if (a.descends(b) && b.descends(c)) {
            assertThat(a.descends(c)).isTrue();
          }
        });
  }

  @Test
  void mergeIsCommutativeAssociativeAndIdempotent() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          VectorClock b = small(rnd);
          VectorClock c = small(rnd);
          assertThat(a.merge(b)).isEqualTo(b.merge(a));
          assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
          assertThat(a.merge(a)).isEqualTo(a);
        });
  }

  @Test
  void mergeIsTheLeastUpperBound() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          VectorClock b = small(rnd);
          VectorClock m = a.merge(b);
          assertThat(a.compare(m)).isIn(Causality.BEFORE, Causality.EQUAL);
          assertThat(b.compare(m)).isIn(Causality.BEFORE, Causality.EQUAL);
          for (String n : Gen.NODES) {
            assertThat(m.get(n)).isEqualTo(Math.max(a.get(n), b.get(n)));
          }
        });
  }

  @Test
  void incrementMakesAStrictlyLaterClock() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = small(rnd);
          String n = Gen.pick(rnd, Gen.NODES);
          assertThat(a.compare(a.increment(n))).isEqualTo(Causality.BEFORE);
          assertThat(a.increment(n).get(n)).isEqualTo(a.get(n) + 1);
        });
  }

  @Test
  void parseOfToStringAndOfToMapAreIdentities() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock a = Gen.anyClock(rnd);
          Map<String, Long> m = a.toMap();
          assertThat(VectorClock.of(m)).isEqualTo(a);
          if (a.nodes().stream().noneMatch(n -> n.contains(":"))) {
            assertThat(VectorClock.parse(a.toString())).isEqualTo(a);
          }
        });
  }
}
