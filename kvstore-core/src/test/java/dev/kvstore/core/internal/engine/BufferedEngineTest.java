package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kvstore.core.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine contract over RocksDB with the write buffer in front (a bound small enough that the property runs
 * drain in the background all the time), plus what the buffer itself promises.
 */
class BufferedEngineTest extends EngineContractTest {
  private static final long SMALL = 512;

  @Override
  protected Engine open(Path directory) {
    return new BufferedEngine(RocksDbEngine.open(directory), SMALL);
  }

  @Override
  protected int propertySeeds() {
    return 100;
  }

  @Test
  void aDrainWritesEachKeyOnceSortedWithTheNewestSequence() {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    try (BufferedEngine buffered = new BufferedEngine(below, 1 << 20)) {
      for (long seq = 1; seq <= 300; seq++) {
        buffered.apply(seq, List.of(Write.put(utf8("k" + (seq % 3)), utf8("v" + seq))));
      }
      assertThat(below.groups).as("nothing reaches the engine below before a drain").isEmpty();
      assertThat(buffered.get(utf8("k0"))).isEqualTo(utf8("v300"));

      buffered.checkpoint();
      assertThat(below.groups).hasSize(1);
      assertThat(below.seqs).containsExactly(300L);
      assertThat(below.groups.get(0)).extracting(w -> new String(w.key(), StandardCharsets.UTF_8))
          .containsExactly("k0", "k1", "k2");
      assertThat(below.groups.get(0)).extracting(w -> new String(w.value(), StandardCharsets.UTF_8))
          .containsExactly("v300", "v298", "v299");
      assertThat(below.appliedSequence()).isEqualTo(300);
    }
  }

  @Test
  void aBufferedRemovalHidesTheValueBelowAndIsDrainedAsARemoval() {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    try (BufferedEngine buffered = new BufferedEngine(below, 1 << 20)) {
      buffered.apply(1, List.of(put("a", "1")));
      buffered.checkpoint();
      buffered.apply(2, List.of(delete("a")));
      assertThat(buffered.get(utf8("a"))).isNull();
      assertThat(buffered.getCached(utf8("a"))).isNull();
      assertThat(below.get(utf8("a"))).as("not drained yet").isEqualTo(utf8("1"));
      buffered.checkpoint();
      assertThat(below.get(utf8("a"))).isNull();
    }
  }

  @Test
  void groupsNotYetDrainedAreNotInTheEngineBelowSoTheLogReplaysThem() {
    Path directory = dir.resolve("crash");
    RocksDbEngine rocks = RocksDbEngine.open(directory);
    BufferedEngine buffered = new BufferedEngine(rocks, 1 << 20);
    buffered.apply(1, List.of(put("a", "1")));
    buffered.checkpoint();
    buffered.apply(2, List.of(put("b", "2")));
    rocks.close(); // what a crash leaves: RocksDB holds only what was drained, with its sequence
    try (RocksDbEngine after = RocksDbEngine.open(directory)) {
      assertThat(after.durableSequence()).isEqualTo(1);
      assertThat(after.get(utf8("a"))).isEqualTo(utf8("1"));
      assertThat(after.get(utf8("b"))).isNull();
    }
  }

  @Test
  void aFailedDrainKeepsItsValuesReadableAndStopsLaterWrites() {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    below.failApplies = true;
    BufferedEngine buffered = new BufferedEngine(below, 1 << 20);
    buffered.apply(1, List.of(put("a", "1")));
    assertThatThrownBy(buffered::checkpoint).isInstanceOf(StorageException.class).hasMessageContaining("disk full");
    assertThat(buffered.get(utf8("a"))).isEqualTo(utf8("1"));
    assertThatThrownBy(() -> buffered.apply(2, List.of(put("b", "2"))))
        .isInstanceOf(StorageException.class).hasMessageContaining("disk full");
    assertThat(buffered.appliedSequence()).isEqualTo(1);
    assertThatThrownBy(() -> buffered.scan(null, null, (k, v) -> true)).isInstanceOf(StorageException.class);
    assertThatThrownBy(buffered::close).as("what was buffered is not below: the close says so")
        .isInstanceOf(StorageException.class).hasMessageContaining("disk full");
    assertThat(below.groups).isEmpty();
    assertThatThrownBy(() -> buffered.get(utf8("a"))).isInstanceOf(dev.kvstore.core.StoreClosedException.class);
  }

  @Test
  void anErrorInADrainIsRecordedSoNoLaterDrainOrCheckpointPassesTheLostGroups() {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    below.error = new OutOfMemoryError("simulated");
    BufferedEngine buffered = new BufferedEngine(below, 1 << 20);
    buffered.apply(1, List.of(put("a", "1")));
    assertThatThrownBy(buffered::checkpoint).isInstanceOf(StorageException.class).hasMessageContaining("simulated");
    below.error = null;
    assertThat(buffered.get(utf8("a"))).as("the draining map stays readable").isEqualTo(utf8("1"));
    assertThatThrownBy(() -> buffered.apply(2, List.of(put("b", "2")))).isInstanceOf(StorageException.class);
    assertThatThrownBy(buffered::checkpoint).as("no checkpoint past seq 1's lost group")
        .isInstanceOf(StorageException.class);
    assertThat(below.seqs).isEmpty();
    assertThatThrownBy(buffered::close).isInstanceOf(StorageException.class);
  }

  @Test
  void aWaitingApplyIsReleasedWithTheFailureOfTheDrainItWaitedFor() throws Exception {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    below.hold = new CountDownLatch(1);
    below.failApplies = true;
    BufferedEngine buffered = new BufferedEngine(below, 1000);
    byte[] value = new byte[300];
    for (long seq = 1; seq <= 3; seq++) {
      buffered.apply(seq, List.of(Write.put(utf8("k" + seq), value)));
    }
    assertThat(below.entered.await(10, TimeUnit.SECONDS)).as("the background drain started").isTrue();
    CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
      long s = 3;
      for (int i = 0; i < 20; i++) {
        buffered.apply(++s, List.of(Write.put(utf8("k" + s), value)));
      }
      return s;
    });
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !writer.isDone());
    below.hold.countDown();
    assertThatThrownBy(() -> writer.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
    assertThat(buffered.get(utf8("k1"))).as("the failed drain's values stay readable").isEqualTo(value);
    assertThatThrownBy(buffered::close).isInstanceOf(StorageException.class);
  }

  @Test
  void applyWaitsForTheRunningDrainOnceTheBufferHoldsTwiceTheBound() throws Exception {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    below.hold = new CountDownLatch(1);
    try (BufferedEngine buffered = new BufferedEngine(below, 1000)) {
      byte[] value = new byte[300];
      for (long seq = 1; seq <= 3; seq++) { // past the bound: a drain starts in the background, and is held
        buffered.apply(seq, List.of(Write.put(utf8("k" + seq), value)));
      }
      assertThat(below.entered.await(10, TimeUnit.SECONDS)).as("the background drain started").isTrue();
      long start = 3;
      CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
        long s = start;
        for (int i = 0; i < 20; i++) {
          buffered.apply(++s, List.of(Write.put(utf8("k" + s), value)));
        }
        return s;
      });
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !writer.isDone());
      assertThat(buffered.appliedSequence()).as("the writer stopped before 20 more groups").isLessThan(start + 20);
      below.hold.countDown();
      assertThat(writer.get(30, TimeUnit.SECONDS)).isEqualTo(start + 20);
      buffered.checkpoint();
      for (long k = 1; k <= start + 20; k++) {
        assertThat(below.get(utf8("k" + k))).as("k%d", k).isNotNull();
      }
    }
  }

  @Test
  void approximateKeysCountsTheDrainingMapWhileADrainRunsAndOnceAfterIt() throws Exception {
    RecordingEngine below = new RecordingEngine(MemoryEngine.inMemory());
    below.hold = new CountDownLatch(1);
    try (BufferedEngine buffered = new BufferedEngine(below, 1000)) {
      byte[] value = new byte[200]; // about 280 bytes a key with its overhead: the 4th passes the bound
      for (long seq = 1; seq <= 4; seq++) { // a drain of the 4 keys starts in the background, and is held
        buffered.apply(seq, List.of(Write.put(utf8("k" + seq), value)));
      }
      try {
        assertThat(below.entered.await(10, TimeUnit.SECONDS)).as("the background drain started").isTrue();
        buffered.apply(5, List.of(Write.put(utf8("k5"), value)));
        assertThat(buffered.approximateKeys()).as("4 keys draining, 1 buffered, none below yet").isEqualTo(5);
      } finally {
        below.hold.countDown(); // also when an assertion failed: close() drains
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> below.appliedSequence() == 4);
      assertThat(buffered.approximateKeys()).as("4 below, 1 buffered: the drained map counted once").isEqualTo(5);
    }
  }

  @Test
  void aReaderRacingAppliesAndDrainsOnlyEverSeesValuesMoveForward() throws Exception {
    try (BufferedEngine buffered = new BufferedEngine(RocksDbEngine.open(dir.resolve("race")), 256)) {
      assertThat(ForwardOnlyReads.race(buffered)).isEqualTo("ok");
    }
  }

  @Test
  void aNonPositiveBoundIsRefused() {
    try (MemoryEngine below = MemoryEngine.inMemory()) {
      assertThatThrownBy(() -> new BufferedEngine(below, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("drainBytes must be positive");
    }
  }

  /** An engine that records the groups applied to it, and can fail or hold them. */
  private static final class RecordingEngine extends ForwardingEngine {
    final List<List<Write>> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Long> seqs = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile boolean failApplies;
    volatile Error error;
    volatile CountDownLatch hold;

    RecordingEngine(Engine delegate) {
      super(delegate);
    }

    @Override
    public void apply(long seq, List<Write> writes) {
      entered.countDown();
      CountDownLatch h = hold;
      if (h != null) {
        try {
          h.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted", e);
        }
      }
      if (error != null) {
        throw error;
      }
      if (failApplies) {
        throw new StorageException("disk full");
      }
      groups.add(new ArrayList<>(writes));
      seqs.add(seq);
      super.apply(seq, writes);
    }
  }
}
