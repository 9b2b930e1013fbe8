package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CpuMeterTest {
  @Test
  void cpuPerOperationIsTheDifferenceOverTheOperationsAndUnknownWhenAReadingIsMissing() {
    Optional<Duration> before = Optional.of(Duration.ofMillis(100));
    Optional<Duration> after = Optional.of(Duration.ofMillis(300));
    assertThat(CpuMeter.microsPerOp(before, after, 1000)).isEqualTo(200.0);
    assertThat(CpuMeter.microsPerOp(Optional.empty(), after, 1000)).isNaN();
    assertThat(CpuMeter.microsPerOp(before, Optional.empty(), 1000)).isNaN();
    assertThat(CpuMeter.microsPerOp(before, after, 0)).isNaN();
  }

  @Test
  void thisProcessIsMeteredAndItsCpuTimeGrowsWithWork() {
    CpuMeter meter = new CpuMeter(List.of());
    assertThat(meter.processes()).isEqualTo(1);
    Duration first = meter.total().orElseThrow(() -> new AssertionError("the OS gives no CPU time for this process"));
    long sink = 0;
    for (long i = 0; i < 300_000_000L && meter.total().orElseThrow().compareTo(first) <= 0; i++) {
      sink += Long.numberOfTrailingZeros(i ^ sink);
    }
    assertThat(meter.total().orElseThrow()).as("after spinning (%d)", sink).isGreaterThan(first);
  }
}
