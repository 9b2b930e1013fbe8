package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class CpuMeterTest {
  @TempDir Path dir;

  @Test
  void costPerOperationIsTheDifferenceOverTheOperationsAndUnknownWhenAReadingIsMissing() {
    CpuMeter.Sample before = new CpuMeter.Sample(Optional.of(Duration.ofMillis(100)), Optional.of(Map.of(1L, 500L)));
    CpuMeter.Sample after = new CpuMeter.Sample(Optional.of(Duration.ofMillis(300)),
        Optional.of(Map.of(1L, 1_500L, 2L, 1_000L)));
    CpuMeter.Sample unknown = new CpuMeter.Sample(Optional.empty(), Optional.empty());
    assertThat(CpuMeter.Cost.perOp(before, after, 1000)).isEqualTo(new CpuMeter.Cost(200.0, 2.0));
    assertThat(CpuMeter.Cost.perOp(unknown, after, 1000)).isEqualTo(CpuMeter.Cost.UNKNOWN);
    assertThat(CpuMeter.Cost.perOp(before, unknown, 1000)).isEqualTo(CpuMeter.Cost.UNKNOWN);
    assertThat(CpuMeter.Cost.perOp(before, after, 0)).isEqualTo(CpuMeter.Cost.UNKNOWN);
  }

  @Test
  void aCostIsPrintedRoundedOrAsNotAvailable() {
    CpuMeter.Cost cost = new CpuMeter.Cost(123.4, 2.5);
    assertThat(cost.cpuCell()).isEqualTo("123");
    assertThat(cost.contextSwitchCell()).isEqualTo("2.50");
    assertThat(CpuMeter.Cost.UNKNOWN.cpuCell()).isEqualTo("n/a");
    assertThat(CpuMeter.Cost.UNKNOWN.contextSwitchCell()).isEqualTo("n/a");
  }

  @Test
  void withoutAProcFileSystemContextSwitchesAreUnknownButCpuTimeIsNot() {
    CpuMeter meter = new CpuMeter(List.of(), new ContextSwitchReader(dir.resolve("no-proc")));
    CpuMeter.Sample sample = meter.sample();
    assertThat(sample.switchesByThread()).isEmpty();
    assertThat(sample.cpu()).isPresent();
    assertThat(CpuMeter.Cost.perOp(sample, sample, 10).contextSwitchCell()).isEqualTo("n/a");
  }

  @Test
  void thisProcessIsMeteredAndItsCpuTimeGrowsWithWork() {
    CpuMeter meter = new CpuMeter(List.of());
    assertThat(meter.processes()).isEqualTo(1);
    Duration first = cpu(meter);
    long sink = 0;
    for (long i = 0; i < 300_000_000L && cpu(meter).compareTo(first) <= 0; i++) {
      sink += Long.numberOfTrailingZeros(i ^ sink);
    }
    assertThat(cpu(meter)).as("after spinning (%d)", sink).isGreaterThan(first);
  }

  private static Duration cpu(CpuMeter meter) {
    return meter.sample().cpu().orElseThrow(() -> new AssertionError("the OS gives no CPU time for this process"));
  }
}
