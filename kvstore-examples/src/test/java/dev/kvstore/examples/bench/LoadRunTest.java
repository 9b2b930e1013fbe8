package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoadRunTest {
  @Test
  void aMeteredRunCountsTheSwitchesOfItsWorkersBeforeTheyExit() throws InterruptedException {
    assumeThat(Path.of("/proc/self/task")).as("Linux /proc").isDirectory();
    LoadRun.Result result = LoadRun.run("park", 2, Duration.ofMillis(300), new CpuMeter(List.of()),
        (random, i) -> LockSupport.parkNanos(50_000));
    assertThat(result.ops()).isPositive();
    assertThat(result.cost().contextSwitches()).as("every park blocks the worker once").isGreaterThanOrEqualTo(0.5);
    assertThat(result.cost().cpuMicros()).isPositive();
  }

  @Test
  void anUnmeteredRunHasNoCost() throws InterruptedException {
    LoadRun.Result result = LoadRun.run("count", 2, 1_000, (random, i) -> {});
    assertThat(result.ops()).isEqualTo(1_000);
    assertThat(result.cost()).isEqualTo(CpuMeter.Cost.UNKNOWN);
  }

  @Test
  void aResultGivesOrderedPercentilesAndTheFullDistribution() throws Exception {
    LoadRun.Result result = LoadRun.run("spread", 1, 200, (random, i) -> LockSupport.parkNanos(i % 10 == 0 ? 2_000_000 : 20_000));
    assertThat(result.p50Micros()).isLessThanOrEqualTo(result.p90Micros());
    assertThat(result.p90Micros()).isLessThanOrEqualTo(result.p99Micros());
    assertThat(result.p99Micros()).isLessThanOrEqualTo(result.p999Micros());
    assertThat(result.p999Micros()).isLessThanOrEqualTo(result.maxMicros());
    assertThat(result.maxMicros()).as("one op in ten parks 2 ms").isGreaterThanOrEqualTo(2_000);
    assertThat(result.summary()).contains("p50", "p90", "p99", "p99.9", "max");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    result.writeDistribution(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("# spread: 200 operations").contains("Percentile", "#[Max");
  }
}
