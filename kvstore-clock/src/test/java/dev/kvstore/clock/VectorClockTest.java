package dev.kvstore.clock;

import static dev.kvstore.clock.Clocks.clock;
import static dev.kvstore.clock.Clocks.dot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VectorClockTest {

  @Test
  void emptyClockHasNoEntriesAndReadsZeroForEveryNode() {
    VectorClock empty = VectorClock.empty();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.size()).isZero();
    assertThat(empty.get("a")).isZero();
    assertThat(empty.nodes()).isEmpty();
    assertThat(empty).hasToString("{}");
  }

  @Test
  void incrementRaisesOnlyTheOwnEntryByOne() {
    VectorClock c = clock("a:2", "b:1");
    VectorClock next = c.increment("a");
    assertThat(next.toMap()).containsExactly(Map.entry("a", 3L), Map.entry("b", 1L));
    assertThat(c.get("a")).as("the original is unchanged").isEqualTo(2);
    assertThat(c.increment("c").get("c")).isEqualTo(1);
  }

  @Test
  void mergeTakesTheEntryWiseMaximum() {
    VectorClock merged = clock("a:3", "b:1").merge(clock("b:4", "c:2"));
    assertThat(merged).isEqualTo(clock("a:3", "b:4", "c:2"));
  }

  @Test
  void mergeOfClocksOverTheSameNodesReusesADominatingInput() {
    VectorClock low = clock("a:1", "b:2");
    VectorClock high = clock("a:3", "b:2");
    assertThat(low.merge(high)).isSameAs(high);
    assertThat(high.merge(low)).isSameAs(high);
    assertThat(clock("a:4", "b:1").merge(high)).isEqualTo(clock("a:4", "b:2"));
  }

  @Test
  void compareIsBeforeWhenEveryEntryIsAtMostAndOneIsLess() {
    assertThat(clock("a:1").compare(clock("a:2"))).isEqualTo(Causality.BEFORE);
    assertThat(clock("a:1").compare(clock("a:1", "b:1"))).isEqualTo(Causality.BEFORE);
    assertThat(VectorClock.empty().compare(clock("b:1"))).isEqualTo(Causality.BEFORE);
    assertThat(clock("a:1").happenedBefore(clock("a:2"))).isTrue();
  }

  @Test
  void compareIsAfterWhenTheOtherIsBefore() {
    assertThat(clock("a:2", "b:1").compare(clock("a:2"))).isEqualTo(Causality.AFTER);
    assertThat(clock("a:2").descends(clock("a:1"))).isTrue();
  }

  @Test
  void compareIsEqualForEqualEntries() {
    assertThat(clock("a:2", "b:1").compare(clock("b:1", "a:2"))).isEqualTo(Causality.EQUAL);
    assertThat(clock("a:0").compare(VectorClock.empty())).isEqualTo(Causality.EQUAL);
  }

  @Test
  void compareIsConcurrentWhenEachIsAheadSomewhere() {
    assertThat(clock("a:2", "b:1").compare(clock("a:1", "b:2"))).isEqualTo(Causality.CONCURRENT);
    assertThat(clock("a:1").compare(clock("b:1"))).isEqualTo(Causality.CONCURRENT);
    assertThat(clock("a:1").isConcurrentWith(clock("b:1"))).isTrue();
  }

  @Test
  void coversADotIffItsCounterIsAtMostTheEntry() {
    VectorClock c = clock("a:2");
    assertThat(c.covers(dot("a:1"))).isTrue();
    assertThat(c.covers(dot("a:2"))).isTrue();
    assertThat(c.covers(dot("a:3"))).isFalse();
    assertThat(c.covers(dot("b:1"))).isFalse();
  }

  @Test
  void ofDropsZeroCountersAndSortsByNode() {
    Map<String, Long> m = new HashMap<>();
    m.put("c", 1L);
    m.put("a", 0L);
    m.put("b", 5L);
    VectorClock c = VectorClock.of(m);
    assertThat(c.nodes()).containsExactly("b", "c");
    assertThat(c).hasToString("{b:5, c:1}");
  }

  @Test
  void ofRejectsNegativeCountersAndBadNodeIds() {
    assertThatThrownBy(() -> VectorClock.of(Map.of("a", -1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'")
        .hasMessageContaining(">= 0");
    assertThatThrownBy(() -> VectorClock.of(Map.of("", 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-empty");
    assertThatThrownBy(() -> VectorClock.of(Map.of("x".repeat(256), 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("255");
    assertThatThrownBy(() -> VectorClock.of(Map.of("é".repeat(128), 1L)))
        .as("the limit is in UTF-8 bytes, not chars")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(VectorClock.of(Map.of("x".repeat(255), 1L)).size()).isEqualTo(1);
  }

  @Test
  void parseAcceptsBracedUnbracedAndEmptyForms() {
    assertThat(VectorClock.parse("{a:2, b:1}")).isEqualTo(VectorClock.of(Map.of("a", 2L, "b", 1L)));
    assertThat(VectorClock.parse("a:2,b:1")).isEqualTo(VectorClock.parse("{ b : 1 , a : 2 }"));
    assertThat(VectorClock.parse("{}")).isEqualTo(VectorClock.empty());
    assertThat(VectorClock.parse("  ")).isEqualTo(VectorClock.empty());
  }

  @Test
  void parseRejectsMalformedTextNamingTheProblem() {
    assertThatThrownBy(() -> VectorClock.parse("{a:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("braces");
    assertThatThrownBy(() -> VectorClock.parse("a2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a2'");
    assertThatThrownBy(() -> VectorClock.parse("a:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> VectorClock.parse("a:-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> VectorClock.parse("a:1,a:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> VectorClock.parse("a:1,"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VectorClock.parse(":1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node id");
  }

  @Test
  void toStringIsSortedAndParsesBack() {
    VectorClock c = VectorClock.of(Map.of("b", 1L, "a", 2L));
    assertThat(c).hasToString("{a:2, b:1}");
    assertThat(VectorClock.parse(c.toString())).isEqualTo(c);
  }

  @Test
  void toMapAndNodesAreSortedAndUnmodifiable() {
    VectorClock c = clock("b:1", "a:2");
    assertThat(c.toMap().keySet()).containsExactly("a", "b");
    assertThat(c.nodes()).isEqualTo(List.of("a", "b"));
    assertThatThrownBy(() -> c.toMap().put("z", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.nodes().add("z")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalClocksHaveEqualHashCodes() {
    assertThat(clock("a:1", "b:2"))
        .isEqualTo(clock("b:2", "a:1"))
        .hasSameHashCodeAs(clock("b:2", "a:1"));
    assertThat(clock("a:1")).isNotEqualTo(clock("a:2"));
  }

  @Test
  void withAtLeastRaisesButNeverLowersAnEntry() {
    assertThat(clock("a:3").withAtLeast("a", 2)).isEqualTo(clock("a:3"));
    assertThat(clock("a:3").withAtLeast("a", 5)).isEqualTo(clock("a:5"));
    assertThat(clock("a:3").withAtLeast("b", 1)).isEqualTo(clock("a:3", "b:1"));
    assertThat(clock("a:3").withAtLeast("b", 0)).isEqualTo(clock("a:3"));
  }

  @Test
  void aClockCannotGrowBeyondTheEntryLimit() {
    Map<String, Long> m = new HashMap<>();
    for (int i = 0; i < VectorClock.MAX_ENTRIES; i++) {
      m.put("n" + i, 1L);
    }
    VectorClock full = VectorClock.of(m);
    assertThatThrownBy(() -> full.increment("extra"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
    assertThat(full.increment("n0").get("n0")).isEqualTo(2);
  }

  @Test
  void incrementRejectsOverflowAndInvalidNodes() {
    VectorClock max = VectorClock.of(Map.of("a", Long.MAX_VALUE));
    assertThatThrownBy(() -> max.increment("a")).hasMessageContaining("overflow");
    assertThatThrownBy(() -> max.increment("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> max.increment("\uD800")).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> max.increment(null)).isInstanceOf(NullPointerException.class);
  }
}
