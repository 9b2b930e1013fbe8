package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.net.NodeHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What makes {@code kvstore node} write a health line: a change of peers or hints, never phi alone. */
class HealthReporterTest {
  private static NodeHealth health(boolean n2Up, double phi, long held, long delivered) {
    return new NodeHealth("n1", List.of(new NodeHealth.Peer("n2", n2Up, phi, null),
        new NodeHealth.Peer("n3", true, 0.1, null)),
        held == 0 ? Map.of() : Map.of("n2", new NodeHealth.HeldHints(held, Duration.ofSeconds(5))), delivered, 0);
  }

  @Test
  void phiAloneIsNoChange() {
    assertThat(HealthReporter.shape(health(true, 0.2, 0, 0))).isEqualTo(HealthReporter.shape(health(true, 3.7, 0, 0)));
  }

  @Test
  void aPeerGoingDownHintsHeldOrDeliveredAreChanges() {
    String base = HealthReporter.shape(health(true, 0.2, 0, 0));
    assertThat(HealthReporter.shape(health(false, 9.1, 0, 0))).isNotEqualTo(base);
    assertThat(HealthReporter.shape(health(true, 0.2, 12, 0))).isNotEqualTo(base);
    assertThat(HealthReporter.shape(health(true, 0.2, 0, 12))).isNotEqualTo(base);
  }
}
