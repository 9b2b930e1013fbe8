package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading redis-benchmark's CSV for the baseline of {@code kvstore bench cluster --redis}. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisBaselineTest {
  private static final String HEADER =
      "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"";

  @Test
  void theRowOfTheTestIsReadByColumnName() throws IOException {
    RedisBaseline.Figures set = RedisBaseline.parse("set", List.of(HEADER,
        "\"SET\",\"26350.46\",\"0.551\",\"0.216\",\"0.527\",\"0.719\",\"0.951\",\"7.383\""));
    assertThat(set.opsPerSecond()).isEqualTo(26350.46);
    // Another column order (as another redis-benchmark version might print): read by name, not position.
    set = RedisBaseline.parse("set", List.of("\"p99_latency_ms\",\"test\",\"p50_latency_ms\",\"rps\"",
        "\"0.951\",\"SET\",\"0.527\",\"26350.46\""));
    assertThat(set.opsPerSecond()).isEqualTo(26350.46);
    assertThat(set.p50Micros()).isEqualTo(527, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(set.p99Micros()).isEqualTo(951, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void outputWithoutTheRowOrWithABadNumberIsAClearError() {
    assertThatThrownBy(() -> RedisBaseline.parse("get", List.of(HEADER, "\"SET\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"")))
        .isInstanceOf(IOException.class).hasMessageContaining("no GET row");
    assertThatThrownBy(() -> RedisBaseline.parse("set", List.of("Could not connect to Redis")))
        .isInstanceOf(IOException.class).hasMessageContaining("no SET row and no header");
    assertThatThrownBy(() -> RedisBaseline.parse("set", List.of(HEADER, "\"SET\",\"fast\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"")))
        .isInstanceOf(IOException.class).hasMessageContaining("unreadable redis-benchmark row");
  }
}
