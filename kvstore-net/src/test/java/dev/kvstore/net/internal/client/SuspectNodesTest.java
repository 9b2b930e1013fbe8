package dev.kvstore.net.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SuspectNodesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final SuspectNodes suspects = new SuspectNodes(Duration.ofNanos(100), now::get);

  @Test
  void aNodeThatFailedIsSuspectForThePeriodThenOneCallerProbesIt() {
    suspects.failed("n1");
    now.addAndGet(99);
    assertThat(suspects.isSuspect("n1")).isTrue();
    assertThat(suspects.isSuspect("n2")).isFalse();
    now.addAndGet(1);
    assertThat(suspects.isSuspect("n1")).as("the first caller after the period probes it").isFalse();
    assertThat(suspects.isSuspect("n1")).as("the others still ask it last").isTrue();
    now.addAndGet(99);
    assertThat(suspects.isSuspect("n1")).isTrue();
    now.addAndGet(1);
    assertThat(suspects.isSuspect("n1")).as("a probe once per period").isFalse();
  }

  @Test
  void aProbeThatIsAnsweredClearsTheNode() {
    suspects.failed("n1");
    now.addAndGet(100);
    assertThat(suspects.isSuspect("n1")).isFalse();
    suspects.answered("n1");
    assertThat(suspects.isSuspect("n1")).isFalse();
    assertThat(suspects.isSuspect("n1")).isFalse();
  }

  @Test
  void anAnswerClearsTheSuspicionAtOnce() {
    suspects.failed("n1");
    suspects.answered("n1");
    assertThat(suspects.isSuspect("n1")).isFalse();
  }

  @Test
  void aNewFailureStartsTheSuspicionAgain() {
    suspects.failed("n1");
    now.addAndGet(90);
    suspects.failed("n1");
    now.addAndGet(90);
    assertThat(suspects.isSuspect("n1")).isTrue();
  }

  @Test
  void suspectNodesGoLastEachPartKeepingItsOrder() {
    List<String> nodes = List.of("n1", "n2", "n3", "n4");
    assertThat(suspects.unsuspectedFirst(nodes)).isSameAs(nodes);
    suspects.failed("n3");
    suspects.failed("n1");
    assertThat(suspects.unsuspectedFirst(nodes)).containsExactly("n2", "n4", "n1", "n3");
    assertThat(nodes).as("the argument is not modified").containsExactly("n1", "n2", "n3", "n4");
    suspects.answered("n1");
    suspects.answered("n3");
    assertThat(suspects.unsuspectedFirst(nodes)).containsExactly("n1", "n2", "n3", "n4");
  }

  @Test
  void aPeriodThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new SuspectNodes(Duration.ZERO, System::nanoTime))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be positive");
    assertThatThrownBy(() -> new SuspectNodes(Duration.ofSeconds(-1), System::nanoTime))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
