package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.clock.Execution.Event;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clocks on random message-passing executions, against happened-before computed by graph
 * reachability ({@code -Dkvstore.seed=<n>} replays one seed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecutionPropertyTest {
  private static final int SEEDS = 300;

  private static Execution run(java.util.SplittableRandom rnd) {
    return Execution.random(rnd, 2 + rnd.nextInt(3), 10 + rnd.nextInt(30));
  }

  @Test
  void vectorClocksCharacteriseHappenedBeforeExactly() {
    int[] concurrentPairs = {0};
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          Execution x = run(rnd);
          for (Event a : x.events) {
            for (Event b : x.events) {
              boolean hb = x.happenedBefore(a, b);
              assertThat(a.vector.happenedBefore(b.vector))
                  .as("event %d %s vs event %d %s", a.id, a.vector, b.id, b.vector)
                  .isEqualTo(hb);
              boolean concurrent = a != b && !hb && !x.happenedBefore(b, a);
              assertThat(a.vector.isConcurrentWith(b.vector)).isEqualTo(concurrent);
              concurrentPairs[0] += concurrent ? 1 : 0;
            }
          }
        });
    assertThat(concurrentPairs[0]).as("the executions do contain concurrency").isPositive();
  }

  @Test
  void happenedBeforeImpliesSmallerLamportTime() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          Execution x = run(rnd);
          for (Event a : x.events) {
            for (Event b : x.events) {
              if (x.happenedBefore(a, b)) {
                assertThat(a.lamport).as("L(%d) < L(%d)", a.id, b.id).isLessThan(b.lamport);
              }
            }
          }
        });
  }

  @Test
  void hybridLogicalTimeRespectsCausalityAndIsMonotonicPerProcess() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          Execution x = run(rnd);
          Event[] last = new Event[x.processCount];
          for (Event b : x.events) {
            if (last[b.process] != null) {
              assertThat(last[b.process].hlc).isLessThan(b.hlc);
            }
            last[b.process] = b;
            for (Event a : x.events) {
              if (x.happenedBefore(a, b)) {
                assertThat(a.hlc).as("hlc(%d) < hlc(%d)", a.id, b.id).isLessThan(b.hlc);
              }
            }
          }
        });
  }

  /**
   * The bounds of Kulkarni et al.: pt(f) <= l(f) <= the largest physical reading in f's causal past
   * (including f), and c(f) <= the number of events in f's causal past with the same l.
   */
  @Test
  void hybridLogicalTimeStaysWithinPhysicalTimeSeenAndItsCounterIsBounded() {
    int[] positiveLogical = {0};
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          Execution x = run(rnd);
          for (Event f : x.events) {
            long maxPhysical = f.physical;
            int sameL = 0;
            for (Event g : x.events) {
              if (x.happenedBefore(g, f)) {
                maxPhysical = Math.max(maxPhysical, g.physical);
                sameL += g.hlc.physicalMillis() == f.hlc.physicalMillis() ? 1 : 0;
              }
            }
            assertThat(f.hlc.physicalMillis()).isBetween(f.physical, maxPhysical);
            assertThat(f.hlc.logical()).as("c(%d) bound", f.id).isLessThanOrEqualTo(sameL);
            positiveLogical[0] += f.hlc.logical() > 0 ? 1 : 0;
          }
        });
    assertThat(positiveLogical[0]).as("the logical counter is exercised").isPositive();
  }
}
