package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kvstore.examples.LocalMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, short Redis baseline: runs only where Redis is installed ({@code apt-get install redis-server}) and is
 * reported as skipped elsewhere.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisBaselineIT {
  @TempDir Path dir;

  @Test
  void aShortRunMeasuresSetAndGetThenStopsRedisAndDeletesItsFiles() throws Exception {
    assumeThat(RedisBaseline.unavailable()).as("redis-server and redis-benchmark on the PATH").isEmpty();
    int port = LocalMachine.loopbackAddresses(1).values().iterator().next().getPort();
    Path redisDir = dir.resolve("redis");
    List<RedisBaseline.Figures> figures = RedisBaseline.run(port, redisDir, 4, 100, 1000, 1);
    assertThat(figures).extracting(RedisBaseline.Figures::test).containsExactly("set", "get");
    assertThat(figures).allSatisfy(f -> {
      assertThat(f.opsPerSecond()).isPositive();
      assertThat(f.p99Micros()).isGreaterThanOrEqualTo(f.p50Micros()).isPositive();
    });
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).as("no Redis left").isEmpty();
    assertThat(Files.exists(redisDir)).as("Redis's files are deleted").isFalse();
  }
}
