package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Options of {@link KvNodeBuilder} checked at once, a refused value leaving the option as it was. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KvNodeBuilderTest {

  @Test
  void restoreCheckTimeoutOutsideZeroToTenMinutesIsRefusedAndChangesNothing() {
    KvNodeBuilder b = KvNode.builder().restoreCheckTimeout(Duration.ofSeconds(7));
    for (Duration bad : new Duration[] {null, Duration.ofMillis(-1), Duration.ofMinutes(10).plusMillis(1)}) {
      assertThatThrownBy(() -> b.restoreCheckTimeout(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("restoreCheckTimeout must be between 0 and 10 minutes");
    }
    assertThat(b.restoreCheckTimeout).isEqualTo(Duration.ofSeconds(7));
    assertThat(b.restoreCheckTimeout(Duration.ZERO).restoreCheckTimeout).as("0: do not wait").isZero();
  }
}
