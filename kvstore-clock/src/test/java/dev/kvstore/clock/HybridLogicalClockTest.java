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
class HybridLogicalClockTest {

  @Test
  void aNewClockIsAtZero() {
    assertThat(new HybridLogicalClock(new ManualTime(5)).current())
        .isEqualTo(new HlcTimestamp(0, 0));
  }

  @Test
  void whenPhysicalTimeAdvancesTheTimestampFollowsItWithLogicalZero() {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    assertThat(hlc.now()).isEqualTo(new HlcTimestamp(100, 0));
    t.set(105);
    assertThat(hlc.now()).isEqualTo(new HlcTimestamp(105, 0));
  }

  @Test
  void whenPhysicalTimeStallsTheLogicalCounterOrdersTheEvents() {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    hlc.now();
    hlc.now();
    assertThat(hlc.now()).isEqualTo(new HlcTimestamp(100, 2));
  }

  @Test
  void whenPhysicalTimeGoesBackwardsTheClockDoesNot() {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    hlc.now();
    t.set(90);
    assertThat(hlc.now()).isEqualTo(new HlcTimestamp(100, 1));
  }

  @Test
  void receivingATimestampAheadOfLocalTimeAdoptsItAndCountsOnFromItsLogical() {
    HybridLogicalClock hlc = new HybridLogicalClock(new ManualTime(100));
    hlc.now();
    assertThat(hlc.update(new HlcTimestamp(200, 4))).isEqualTo(new HlcTimestamp(200, 5));
  }

  @Test
  void receivingATimestampBehindLocalTimeCountsOnFromTheLocalLogical() {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    hlc.now();
    hlc.now();
    assertThat(hlc.update(new HlcTimestamp(50, 9))).isEqualTo(new HlcTimestamp(100, 2));
  }

  @Test
  void receivingTheSamePhysicalTimeTakesTheLargerLogicalPlusOne() {
    HybridLogicalClock hlc = new HybridLogicalClock(new ManualTime(100));
    hlc.now();
    assertThat(hlc.update(new HlcTimestamp(100, 7))).isEqualTo(new HlcTimestamp(100, 8));
  }

  @Test
  void whenPhysicalTimeIsAheadOfBothTheLogicalCounterResets() {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    hlc.now();
    t.set(300);
    assertThat(hlc.update(new HlcTimestamp(200, 7))).isEqualTo(new HlcTimestamp(300, 0));
  }

  @Test
  void timestampsOrderByPhysicalThenLogicalAndRejectNegatives() {
    assertThat(new HlcTimestamp(1, 9)).isLessThan(new HlcTimestamp(2, 0));
    assertThat(new HlcTimestamp(2, 0).isBefore(new HlcTimestamp(2, 1))).isTrue();
    assertThat(new HlcTimestamp(0, 3)).hasToString("1970-01-01T00:00:00Z+3");
    assertThatThrownBy(() -> new HlcTimestamp(-1, 0)).hasMessageContaining("physicalMillis");
    assertThatThrownBy(() -> new HlcTimestamp(0, -1)).hasMessageContaining("logical");
    assertThatThrownBy(() -> new HybridLogicalClock(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void timestampEncodingRoundTripsAndRejectsBadBytes() {
    HlcTimestamp ts = new HlcTimestamp(1_700_000_000_123L, 42);
    assertThat(HlcTimestamp.fromBytes(ts.toBytes())).isEqualTo(ts);
    assertThat(new HlcTimestamp(0, 0).toBytes()).containsExactly(1, 0, 0);
    assertThatThrownBy(() -> HlcTimestamp.fromBytes(new byte[] {1, 0}))
        .isExactlyInstanceOf(ClockEncodingException.class);
    assertThatThrownBy(
            () ->
                HlcTimestamp.fromBytes(
                    new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x08}))
        .isExactlyInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("logical");
  }

  @Test
  void concurrentCallersGetDistinctIncreasingTimestamps() throws InterruptedException {
    ManualTime t = new ManualTime(100);
    HybridLogicalClock hlc = new HybridLogicalClock(t);
    Set<HlcTimestamp> seen = ConcurrentHashMap.newKeySet();
    int threads = 4;
    int perThread = 1_000;
    Concurrently.run(threads, perThread, i -> seen.add(i % 2 == 0 ? hlc.now() : hlc.update(new HlcTimestamp(100, i))));
    assertThat(seen).hasSize(threads * perThread);
  }
}
