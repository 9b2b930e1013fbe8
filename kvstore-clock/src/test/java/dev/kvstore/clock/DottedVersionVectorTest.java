package dev.kvstore.clock;

import static dev.kvstore.clock.Clocks.clock;
import static dev.kvstore.clock.Clocks.dot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DottedVersionVectorTest {

  private static DottedVersionVector dvv(String dot, String... past) {
    return DottedVersionVector.of(dot(dot), clock(past));
  }

  @Test
  void anEventIsBeforeAnotherWhosePastCoversItsDot() {
    DottedVersionVector first = dvv("a:1");
    DottedVersionVector second = dvv("b:1", "a:1");
    assertThat(first.compare(second)).isEqualTo(Causality.BEFORE);
    assertThat(second.compare(first)).isEqualTo(Causality.AFTER);
  }

  @Test
  void twoWritesWithTheSamePastThroughTheSameNodeAreConcurrent() {
    DottedVersionVector x = dvv("a:2", "a:1");
    DottedVersionVector y = dvv("a:3", "a:1");
    assertThat(x.compare(y)).isEqualTo(Causality.CONCURRENT);
    assertThat(x.toVectorClock().compare(y.toVectorClock()))
        .as("plain vector clocks would wrongly order them")
        .isEqualTo(Causality.BEFORE);
  }

  @Test
  void theSameDotIsTheSameEvent() {
    assertThat(dvv("a:2", "b:1").compare(dvv("a:2", "b:1"))).isEqualTo(Causality.EQUAL);
  }

  @Test
  void toVectorClockJoinsThePastWithTheDot() {
    assertThat(dvv("a:3", "a:1", "b:1").toVectorClock()).isEqualTo(clock("a:3", "b:1"));
    assertThat(dvv("a:3", "a:1", "b:1")).hasToString("(a,3) after {a:1, b:1}");
  }

  @Test
  void aPastMayNotCoverItsOwnDot() {
    assertThatThrownBy(() -> dvv("a:2", "a:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own past");
  }

  @Test
  void dotsNeedAPositiveCounterAndAValidNode() {
    assertThatThrownBy(() -> new Dot("a", 0)).hasMessageContaining(">= 1");
    assertThatThrownBy(() -> new Dot("", 1)).hasMessageContaining("non-empty");
    assertThat(new Dot("a", 3)).hasToString("a:3");
    assertThat(new Dot("a", 9).compareTo(new Dot("b", 1))).isNegative();
    assertThat(new Dot("a", 9).compareTo(new Dot("a", 10))).isNegative();
  }
}
