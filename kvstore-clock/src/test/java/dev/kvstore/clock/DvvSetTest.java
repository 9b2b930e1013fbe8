package dev.kvstore.clock;

import static dev.kvstore.clock.Clocks.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DvvSetTest {

  @Test
  void emptySetHasNoSiblingsAndAnEmptyContext() {
    DvvSet<String> s = DvvSet.empty();
    assertThat(s.isEmpty()).isTrue();
    assertThat(s.context()).isEqualTo(VectorClock.empty());
    assertThat(s).hasToString("DvvSet{context={}, siblings=[]}");
  }

  @Test
  void aWriteGetsTheNextDotOfItsCoordinatorAndTheClientContextAsPast() {
    DvvSet<String> s = DvvSet.<String>empty().update(VectorClock.empty(), "v1", "a");
    s = s.update(s.context(), "v2", "a");
    assertThat(s.values()).containsExactly("v2");
    Versioned<String> only = s.siblings().get(0);
    assertThat(only.dot()).isEqualTo(new Dot("a", 2));
    assertThat(only.version().past()).isEqualTo(clock("a:1"));
    assertThat(s.context()).isEqualTo(clock("a:2"));
  }

  @Test
  void concurrentWritesWithTheSameContextThroughTheSameCoordinatorBothSurvive() {
    DvvSet<String> base = DvvSet.<String>empty().update(VectorClock.empty(), "v0", "a");
    VectorClock ctx = base.context();
    DvvSet<String> s = base.update(ctx, "x", "a").update(ctx, "y", "a");
    assertThat(s.values()).containsExactlyInAnyOrder("x", "y");
    assertThat(s.siblings().get(0).version().compare(s.siblings().get(1).version()))
        .isEqualTo(Causality.CONCURRENT);
    assertThat(s.context()).isEqualTo(clock("a:3"));
  }

  @Test
  void aWriteWithAnIssuedDotSkipsCountersAndStaysConcurrentWithWhatItDidNotSee() {
    DvvSet<String> base = DvvSet.<String>empty().update(VectorClock.empty(), "v0", "a");
    VectorClock ctx = base.context();
    DvvSet<String> s = base.update(ctx, "x", new Dot("a", 7)).update(ctx, "y", new Dot("a", 9));
    assertThat(s.siblings()).extracting(Versioned::dot).containsExactly(new Dot("a", 7), new Dot("a", 9));
    assertThat(s.siblings().get(0).version().compare(s.siblings().get(1).version()))
        .isEqualTo(Causality.CONCURRENT);
    assertThat(s.context()).isEqualTo(clock("a:9"));
  }

  @Test
  void anIssuedDotThatWasAlreadySeenIsRefusedAndChangesNothing() {
    DvvSet<String> base = DvvSet.<String>empty().update(VectorClock.empty(), "v0", "a");
    assertThatThrownBy(() -> base.update(VectorClock.empty(), "x", new Dot("a", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already seen");
    assertThatThrownBy(() -> DvvSet.<String>empty().update(clock("a:4"), "x", new Dot("a", 4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already seen");
    assertThat(base.values()).containsExactly("v0");
  }

  @Test
  void aWriteWhoseContextSawBothSiblingsReplacesThem() {
    DvvSet<String> base = DvvSet.<String>empty().update(VectorClock.empty(), "x", "a");
    DvvSet<String> two = base.update(VectorClock.empty(), "y", "a");
    assertThat(two.values()).containsExactly("x", "y");
    DvvSet<String> resolved = two.update(two.context(), "xy", "b");
    assertThat(resolved.values()).containsExactly("xy");
    assertThat(resolved.context()).isEqualTo(clock("a:2", "b:1"));
  }

  @Test
  void aStaleContextSupersedesOnlyWhatItSaw() {
    DvvSet<String> s = DvvSet.<String>empty().update(VectorClock.empty(), "x", "a");
    VectorClock stale = s.context();
    s = s.update(stale, "y", "a"); // replaces x
    s = s.update(stale, "z", "a"); // saw only x: y stays
    assertThat(s.values()).containsExactly("y", "z");
  }

  @Test
  void syncKeepsWhatTheOtherHasNotSeenAndDropsWhatItSuperseded() {
    DvvSet<String> r1 = DvvSet.<String>empty().update(VectorClock.empty(), "x", "a");
    DvvSet<String> r2 = DvvSet.sync(DvvSet.empty(), r1).update(r1.context(), "x2", "b");
    DvvSet<String> r3 = DvvSet.<String>empty().update(VectorClock.empty(), "q", "c");
    assertThat(DvvSet.sync(r1, r2).values()).containsExactly("x2");
    assertThat(DvvSet.sync(r2, r1).values()).containsExactly("x2");
    assertThat(DvvSet.sync(r1, r3).values()).containsExactly("x", "q");
  }

  @Test
  void retainRemovesSiblingsButKeepsThemSeen() {
    DvvSet<String> s = DvvSet.<String>empty().update(VectorClock.empty(), "x", "a");
    DvvSet<String> other = s.update(VectorClock.empty(), "y", "a");
    DvvSet<String> onlyY = other.retain(v -> v.value().equals("y"));
    assertThat(onlyY.values()).containsExactly("y");
    assertThat(onlyY.context()).isEqualTo(other.context());
    assertThat(DvvSet.sync(onlyY, s).values()).as("x does not come back").containsExactly("y");
  }

  @Test
  void aContextAheadOfTheReplicaNeverPutsTheNewDotInItsOwnPast() {
    DvvSet<String> s = DvvSet.<String>empty().update(clock("a:5"), "x", "a");
    assertThat(s.siblings().get(0).dot()).isEqualTo(new Dot("a", 6));
  }

  @Test
  void updateChecksItsArguments() {
    DvvSet<String> s = DvvSet.empty();
    assertThatThrownBy(() -> s.update(null, "x", "a")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> s.update(VectorClock.empty(), null, "a"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> s.update(VectorClock.empty(), "x", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalityUsesTheValuesEquals() {
    DvvSet<String> a = DvvSet.<String>empty().update(VectorClock.empty(), "x", "a");
    DvvSet<String> b = DvvSet.<String>empty().update(VectorClock.empty(), new String("x"), "a");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    DvvSet<byte[]> c = DvvSet.<byte[]>empty().update(VectorClock.empty(), new byte[] {1}, "a");
    DvvSet<byte[]> d = DvvSet.<byte[]>empty().update(VectorClock.empty(), new byte[] {1}, "a");
    assertThat(c).as("arrays compare by identity").isNotEqualTo(d);
  }
}
