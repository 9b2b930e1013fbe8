package dev.kvstore.clock;

import static dev.kvstore.clock.Clocks.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.testing.Concurrently;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;



import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessClockTest {

  @Test
  void aNewProcessClockIsEmpty() {
    ProcessClock p = new ProcessClock("p1");
    assertThat(p.current()).isEqualTo(VectorClock.empty());
    assertThat(p.processId()).isEqualTo("p1");
  }

  @Test
  void aLocalEventIncrementsOnlyTheOwnEntry() {
    ProcessClock p = new ProcessClock("p1");
    p.localEvent();
    assertThat(p.localEvent()).isEqualTo(clock("p1:2"));
  }

  @Test
  void aSendIncrementsTheOwnEntryAndReturnsTheMessageTimestamp() {
    ProcessClock p = new ProcessClock("p1");
    p.receive(clock("p2:3"));
    assertThat(p.send()).isEqualTo(clock("p1:2", "p2:3"));
    assertThat(p.current()).isEqualTo(clock("p1:2", "p2:3"));
  }

  @Test
  void aReceiveMergesTheMessageThenIncrementsTheOwnEntry() {
    ProcessClock p = new ProcessClock("p2");
    p.localEvent();
    p.localEvent();
    assertThat(p.receive(clock("p1:4", "p2:1", "p3:2"))).isEqualTo(clock("p1:4", "p2:3", "p3:2"));
  }

  @Test
  void everyEventIsAfterThePreviousOne() {
    ProcessClock p = new ProcessClock("p1");
    VectorClock a = p.localEvent();
    VectorClock b = p.receive(clock("p2:1"));
    VectorClock c = p.send();
    assertThat(a.happenedBefore(b)).isTrue();
    assertThat(b.happenedBefore(c)).isTrue();
  }

  @Test
  void processIdMustBeAValidNodeId() {
    assertThatThrownBy(() -> new ProcessClock(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("processId");
    assertThatThrownBy(() -> new ProcessClock(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ProcessClock("p").receive(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void concurrentEventsGetDistinctTimestamps() throws InterruptedException {
    ProcessClock p = new ProcessClock("p1");
    Set<VectorClock> seen = ConcurrentHashMap.newKeySet();
    int threads = 4;
    int perThread = 500;
    Concurrently.run(threads, perThread, i -> seen.add(i % 3 == 0 ? p.receive(clock("p2:" + i)) : p.send()));
    assertThat(seen).hasSize(threads * perThread);
    assertThat(p.current().get("p1")).isEqualTo(threads * perThread);
  }
}
