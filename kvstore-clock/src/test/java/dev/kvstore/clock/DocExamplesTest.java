package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java snippets of docs/clocks.md, verbatim, with their commented results checked. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DocExamplesTest {

  @Test
  void lamportSnippet() {
    LamportClock p1 = new LamportClock();
    LamportClock p2 = new LamportClock();
    long a = p1.tick(); // 1
    long b = p1.tick(); // 2, sent with m1
    long c = p2.observe(b); // max(0, 2) + 1 = 3
    assertThat(new long[] {a, b, c}).containsExactly(1, 2, 3);
  }

  @Test
  void vectorClockSnippet() {
    VectorClock x = VectorClock.parse("{a:2, b:1}");
    VectorClock y = VectorClock.parse("{a:1, b:2}");
    assertThat(x.compare(y)).isEqualTo(Causality.CONCURRENT);
    assertThat(x.merge(y)).hasToString("{a:2, b:2}");
    assertThat(x.merge(y).increment("a")).hasToString("{a:3, b:2}");
    assertThat(x.covers(new Dot("a", 2))).isTrue();
  }

  @Test
  void hybridLogicalClockSnippet() {
    HybridLogicalClock hlc = new HybridLogicalClock(InstantSource.system());
    HlcTimestamp sent = hlc.now();
    HlcTimestamp received = new HybridLogicalClock(InstantSource.system()).update(sent); // > sent
    assertThat(received).isGreaterThan(sent);
  }

  @Test
  void dvvSetSnippet() {
    DvvSet<String> key = DvvSet.<String>empty().update(VectorClock.empty(), "v1", "A");
    VectorClock ctx = key.context(); // {A:1}: what X and Y both read
    assertThat(ctx).hasToString("{A:1}");
    key = key.update(ctx, "v2", "A"); // X: dot A:2, supersedes v1
    key = key.update(ctx, "v3", "A"); // Y: dot A:3, did not see v2
    assertThat(key.values()).containsExactly("v2", "v3");
    assertThat(key.siblings().get(0).dot()).hasToString("A:2");
    assertThat(key.siblings().get(1).dot()).hasToString("A:3");
    key = key.update(key.context(), "v4", "A"); // a client that read both resolves them
    assertThat(key.values()).containsExactly("v4");
  }
}
