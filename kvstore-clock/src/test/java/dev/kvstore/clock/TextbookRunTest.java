package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The textbook run: p1: a, b = send m1; p2: c = receive m1, d = send m2; p3: e, f = receive m2.
 * Expected timestamps are the lecture's, written out by hand.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TextbookRunTest {

  private static List<Long> vector(VectorClock v) {
    return List.of(v.get("p1"), v.get("p2"), v.get("p3"));
  }

  @Test
  void lamportAndVectorTimestampsMatchTheTextbook() {
    LamportClock l1 = new LamportClock();
    LamportClock l2 = new LamportClock();
    LamportClock l3 = new LamportClock();
    ProcessClock p1 = new ProcessClock("p1");
    ProcessClock p2 = new ProcessClock("p2");
    ProcessClock p3 = new ProcessClock("p3");

    long la = l1.tick();
    VectorClock va = p1.localEvent();
    long lb = l1.tick(); // b = send m1
    VectorClock vb = p1.send();
    long le = l3.tick();
    VectorClock ve = p3.localEvent();
    long lc = l2.observe(lb); // c = receive m1
    VectorClock vc = p2.receive(vb);
    long ld = l2.tick(); // d = send m2
    VectorClock vd = p2.send();
    long lf = l3.observe(ld); // f = receive m2
    VectorClock vf = p3.receive(vd);

    assertThat(List.of(la, lb, lc, ld, le, lf)).containsExactly(1L, 2L, 3L, 4L, 1L, 5L);
    assertThat(Map.of("a", vector(va), "b", vector(vb), "c", vector(vc)))
        .containsEntry("a", List.of(1L, 0L, 0L))
        .containsEntry("b", List.of(2L, 0L, 0L))
        .containsEntry("c", List.of(2L, 1L, 0L));
    assertThat(vector(vd)).containsExactly(2L, 2L, 0L);
    assertThat(vector(ve)).containsExactly(0L, 0L, 1L);
    assertThat(vector(vf)).containsExactly(2L, 2L, 2L);

    // e is concurrent with a, b, c, d although L(e)=1 < L(b)=2: Lamport order is not causality
    for (VectorClock other : List.of(va, vb, vc, vd)) {
      assertThat(ve.isConcurrentWith(other)).isTrue();
    }
    assertThat(le).isLessThan(lb);
    assertThat(va.happenedBefore(vf)).isTrue();
  }
}
