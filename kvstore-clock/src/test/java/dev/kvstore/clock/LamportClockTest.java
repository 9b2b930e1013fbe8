package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.testing.Concurrently;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;



import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LamportClockTest {

  @Test
  void aNewClockIsAtZeroAndItsFirstEventIsOne() {
    LamportClock clock = new LamportClock();
    assertThat(clock.current()).isZero();
    assertThat(clock.tick()).isEqualTo(1);
  }

  @Test
  void tickAddsOneForEveryLocalOrSendEvent() {
    LamportClock clock = new LamportClock();
    clock.tick();
    clock.tick();
    assertThat(clock.tick()).isEqualTo(3);
    assertThat(clock.current()).isEqualTo(3);
  }

  @Test
  void observeOfALaterTimeJumpsPastIt() {
    LamportClock clock = new LamportClock();
    clock.tick();
    assertThat(clock.observe(7)).isEqualTo(8);
  }

  @Test
  void observeOfAnEarlierTimeStillAdvancesByOne() {
    LamportClock clock = new LamportClock();
    for (int i = 0; i < 5; i++) {
      clock.tick();
    }
    assertThat(clock.observe(2)).isEqualTo(6);
    assertThat(clock.observe(6)).isEqualTo(7);
  }

  @Test
  void currentDoesNotTick() {
    LamportClock clock = new LamportClock();
    clock.tick();
    clock.current();
    assertThat(clock.current()).isEqualTo(1);
  }

  @Test
  void observeRejectsNegativeTimes() {
    assertThatThrownBy(() -> new LamportClock().observe(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 0");
  }

  @Test
  void concurrentTicksNeverRepeatATimestamp() throws InterruptedException {
    LamportClock clock = new LamportClock();
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    int threads = 4;
    int perThread = 2_000;
    Concurrently.run(threads, perThread, i -> seen.add(i % 2 == 0 ? clock.tick() : clock.observe(i)));
    assertThat(seen).hasSize(threads * perThread);
    assertThat(clock.current()).isGreaterThanOrEqualTo(threads * perThread);
  }
}
