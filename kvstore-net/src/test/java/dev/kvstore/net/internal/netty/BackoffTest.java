package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Capped exponential reconnect backoff with jitter. */
@Timeout(10)
class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2));

  @Test
  void ceilingDoublesPerFailureUpToTheMaximum() {
    assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(backoff.ceilingNanos(2)).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(backoff.ceilingNanos(6)).isEqualTo(Duration.ofMillis(1600).toNanos());
    assertThat(backoff.ceilingNanos(7)).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(backoff.ceilingNanos(1000)).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void delayIsJitteredBetweenHalfTheCeilingAndTheCeiling() {
    for (int failures = 1; failures < 12; failures++) {
      long ceiling = backoff.ceilingNanos(failures);
      for (int i = 0; i < 100; i++) {
        assertThat(backoff.delay(failures).toNanos()).isBetween(ceiling / 2, ceiling);
      }
    }
  }

  @Test
  void invalidBoundsAreRejected() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("initial");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("max");
  }
}
