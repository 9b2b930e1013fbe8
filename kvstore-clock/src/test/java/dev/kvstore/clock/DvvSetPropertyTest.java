package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.Seeds;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DVV sets against an independent model of which writes are live, and the algebra of sync, over
 * many random histories ({@code -Dkvstore.seed=<n>} replays one).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DvvSetPropertyTest {
  private static final int SEEDS = 400;

  @Test
  void noWriteIsLostUnlessAWriteWhoseContextSawItSupersededIt() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          DvvHistory h = DvvHistory.random(rnd, 2 + rnd.nextInt(3), 40);
          for (String r : h.replicas) {
            assertThat(h.actualLive(r))
                .as("replica %s: %s", r, h.sets.get(r))
                .isEqualTo(h.modelLive(r));
          }
          // after every replica has synced with every other, all agree on the model's global answer
          String first = h.replicas.get(0);
          for (String r : h.replicas) {
            h.sync(first, r);
          }
          for (String r : h.replicas) {
            h.sync(first, r);
            assertThat(h.sets.get(r)).isEqualTo(h.sets.get(first));
            assertThat(h.actualLive(r)).isEqualTo(h.modelLive(r));
          }
        });
  }

  @Test
  void twoConcurrentWritesWithTheSameContextThroughTheSameCoordinatorBothSurvive() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          DvvHistory h = DvvHistory.random(rnd, 3, 20);
          String node = Gen.pick(rnd, h.replicas);
          DvvHistory.Read ctx = h.clientContext(rnd);
          String x = h.write(node, ctx);
          String y = h.write(node, ctx);
          assertThat(h.actualLive(node)).contains(x, y);
        });
  }

  @Test
  void contextCoversEverySiblingDotAndNoTwoSiblingsShareADot() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          DvvHistory h = DvvHistory.random(rnd, 3, 30);
          for (DvvSet<String> s : h.states) {
            List<Versioned<String>> sib = s.siblings();
            for (int i = 0; i < sib.size(); i++) {
              assertThat(s.context().covers(sib.get(i).dot())).isTrue();
              assertThat(s.context().descends(sib.get(i).version().past())).isTrue();
              if (i > 0) {
                assertThat(sib.get(i - 1).dot()).isLessThan(sib.get(i).dot());
              }
              for (int j = 0; j < i; j++) {
                assertThat(sib.get(i).version().compare(sib.get(j).version()))
                    .as("live siblings are pairwise concurrent in %s", s)
                    .isEqualTo(Causality.CONCURRENT);
              }
            }
          }
        });
  }

  @Test
  void syncIsCommutativeAssociativeAndIdempotent() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          DvvHistory h = DvvHistory.random(rnd, 3, 30);
          if (h.states.isEmpty()) {
            return;
          }
          DvvSet<String> a = Gen.pick(rnd, h.states);
          DvvSet<String> b = Gen.pick(rnd, h.states);
          DvvSet<String> c = Gen.pick(rnd, h.states);
          assertThat(DvvSet.sync(a, b)).isEqualTo(DvvSet.sync(b, a));
          assertThat(DvvSet.sync(DvvSet.sync(a, b), c))
              .isEqualTo(DvvSet.sync(a, DvvSet.sync(b, c)));
          DvvSet<String> copyOfA =
              DvvSet.fromBytes(
                  a.toBytes(EncodingPropertyTest::latin1), EncodingPropertyTest::latin1);
          assertThat(DvvSet.sync(a, copyOfA)).isEqualTo(a);
          assertThat(DvvSet.sync(a, DvvSet.sync(a, b))).isEqualTo(DvvSet.sync(a, b));
          assertThat(DvvSet.sync(a, DvvSet.empty())).isEqualTo(a);
        });
  }
}
