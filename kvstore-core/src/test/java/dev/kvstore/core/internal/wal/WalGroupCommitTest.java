package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.append;
import static dev.kvstore.core.internal.wal.WalTesting.join;
import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static dev.kvstore.core.internal.wal.WalTesting.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WalGroupCommitTest {
  private static final int THREADS = 16;
  private static final int PER_THREAD = 200;

  @TempDir Path dir;
  private final CountingChannelFactory channels = new CountingChannelFactory();

  private WalOptions options(Durability durability) {
    return WalOptions.defaults(dir, durability).withChannelFactory(channels);
  }

  private SegmentedWal start(WalOptions options, GroupListener listener) {
    SegmentedWal wal = SegmentedWal.open(options);
    wal.replay(0, (seq, p) -> {});
    wal.start(listener);
    return wal;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void concurrentAppendsShareForcesAndGetDistinctContiguousSeqs() throws Exception {
    List<Long> heard = Collections.synchronizedList(new ArrayList<>());
    List<List<CompletableFuture<Long>>> perThread = new ArrayList<>();
    int forcesBefore;
    try (SegmentedWal wal =
        start(options(Durability.ALWAYS), group -> group.forEach(r -> heard.add(r.seq())))) {
      forcesBefore = channels.forces();
      channels.closeGate(); // a slow disk: the first force waits until every append is queued
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        perThread.add(mine);
        int thread = t;
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; i < PER_THREAD; i++) {
                    mine.add(wal.append(payload(thread * PER_THREAD + i)));
                  }
                }));
      }
      threads.forEach(Thread::start);
      channels.awaitForceAtGate();
      for (Thread thread : threads) {
        thread.join();
      }
      channels.openGate();
      perThread.forEach(futures -> futures.forEach(WalTesting::join));
    }
    int appends = THREADS * PER_THREAD;
    int forces = channels.forces() - forcesBefore;
    assertThat(forces).isPositive().isLessThanOrEqualTo(appends / 2);

    List<Long> seqs = new ArrayList<>();
    for (List<CompletableFuture<Long>> futures : perThread) {
      List<Long> mine = futures.stream().map(WalTesting::join).toList();
      assertThat(mine).as("one thread's appends keep their order").isSorted();
      seqs.addAll(mine);
    }
    Collections.sort(seqs);
    assertThat(seqs).containsExactlyElementsOf(range(1, appends));
    assertThat(heard)
        .as("listener: seq order, each record once")
        .containsExactlyElementsOf(range(1, appends));
  }

  @Test
  void alwaysModeCompletesAnAppendOnlyAfterItsForce() throws Exception {
    try (SegmentedWal wal = start(options(Durability.ALWAYS), group -> {})) {
      channels.closeGate();
      CompletableFuture<Long> future = wal.append(payload(1));
      channels.awaitForceAtGate();
      assertThat(future).isNotDone();
      channels.openGate();
      assertThat(join(future)).isEqualTo(1);
    }
  }

  @Test
  void payloadOverTheLimitIsRejectedAtOnceAndNothingIsWritten() throws Exception {
    WalOptions limited = options(Durability.ALWAYS).withMaxRecordBytes(100);
    try (SegmentedWal wal = start(limited, group -> {})) {
      long sizeBefore = Files.size(segments(dir).get(0));
      assertThatThrownBy(() -> wal.append(new byte[101]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxRecordBytes = 100");
      assertThatThrownBy(() -> wal.append(null)).isInstanceOf(IllegalArgumentException.class);
      assertThat(wal.stats().appends()).isZero();
      assertThat(Files.size(segments(dir).get(0))).isEqualTo(sizeBefore);
    }
    assertThat(readAll(limited)).isEmpty();
  }

  @Test
  void appendAfterCloseFailsWithStoreClosed() {
    SegmentedWal wal = start(options(Durability.ALWAYS), group -> {});
    wal.close();
    wal.close();

    assertThatThrownBy(() -> join(wal.append(payload(1))))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(StoreClosedException.class);
  }

  @Test
  void appendsQueuedBeforeStartAreWrittenOnceStartedOrFailedIfClosedFirst() {
    CompletableFuture<Long> early;
    try (SegmentedWal wal = SegmentedWal.open(options(Durability.ALWAYS))) {
      wal.replay(0, (seq, p) -> {});
      early = wal.append(payload(1));
      wal.start(group -> {});
      assertThat(join(early)).isEqualTo(1);
    }
    SegmentedWal never = SegmentedWal.open(options(Durability.ALWAYS));
    CompletableFuture<Long> orphan = never.append(payload(2));
    never.close();
    assertThatThrownBy(() -> join(orphan)).hasCauseInstanceOf(StoreClosedException.class);
  }

  @Test
  void closeDrainsEverythingAlreadyEnqueued() throws Exception {
    SegmentedWal wal = start(options(Durability.ALWAYS), group -> {});
    channels.closeGate();
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      futures.add(wal.append(payload(i)));
    }
    channels.awaitForceAtGate();
    Thread closer = new Thread(wal::close);
    closer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.WAITING);
    assertThat(futures.get(499)).isNotDone();

    channels.openGate();
    closer.join();

    assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(futures).extracting(WalTesting::join).containsExactlyElementsOf(range(1, 500));
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS))).hasSize(500);
  }

  @Test
  void listenerFailureBreaksTheLogSoTheEngineNeverSkipsAGroup() {
    RuntimeException boom = new IllegalStateException("engine refused");
    byte[] poison = "poison".getBytes();
    List<Long> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (SegmentedWal wal =
        start(
            options(Durability.ALWAYS),
            group -> {
              if (group.stream().anyMatch(r -> Arrays.equals(r.payload(), poison))) {
                throw boom;
              }
              group.forEach(r -> applied.add(r.seq()));
            })) {
      assertThat(append(wal, payload(1))).isEqualTo(1);
      assertThatThrownBy(() -> join(wal.append(poison))).hasRootCause(boom);
      assertThatThrownBy(() -> join(wal.append(payload(3))))
          .hasMessageContaining("accepts no more appends");
    }
    assertThat(applied).as("nothing applied after the failed group").containsExactly(1L);
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS)))
        .as("the failed group is durable and replays on reopen")
        .extracting(WalRecord::seq)
        .containsExactly(1L, 2L);
  }

  @Test
  void whileTheApplierIsBusyEveryGroupGoesToItEvenALoneOne() throws Exception {
    byte[] slow = "slow".getBytes();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.Map<Long, String> appliedOn = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
    List<Long> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (SegmentedWal wal = start(options(Durability.ALWAYS), group -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      try {
        if (group.stream().anyMatch(r -> Arrays.equals(r.payload(), slow))) {
          release.await(30, java.util.concurrent.TimeUnit.SECONDS); // a slow engine apply
        }
        group.forEach(r -> {
          heard.add(r.seq());
          appliedOn.put(r.seq(), Thread.currentThread().getName());
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inside.decrementAndGet();
      }
    })) {
      channels.closeGate(); // the first force waits until a second append is queued behind it
      CompletableFuture<Long> first = wal.append(slow);
      channels.awaitForceAtGate();
      CompletableFuture<Long> second = wal.append(payload(2));
      channels.openGate();
      // group 1 had group 2 waiting, so the applier took it and is now stuck in it; groups 2 and 3 are
      // written while it is busy, and must queue behind it rather than be applied by the writer
      await().atMost(Duration.ofSeconds(10)).until(() -> wal.lastSequence() >= 2);
      CompletableFuture<Long> third = wal.append(payload(3));
      await().atMost(Duration.ofSeconds(10)).until(() -> wal.lastSequence() >= 3);
      assertThat(List.of(first, second, third)).as("nothing completes before the slow apply").noneMatch(
          CompletableFuture::isDone);
      release.countDown();
      assertThat(List.of(join(first), join(second), join(third))).containsExactly(1L, 2L, 3L);
    }
    assertThat(overlaps).as("the listener never runs on two threads at once").hasValue(0);
    assertThat(heard).containsExactly(1L, 2L, 3L);
    assertThat(appliedOn.values()).as("all three on the applier").allMatch(name -> name.endsWith("-apply"));
  }

  @Test
  void whenIdleTheWriterAppliesALoneGroupItselfAndUnderLoadOrderHolds() throws Exception {
    List<String> appliedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
    long last;
    try (SegmentedWal wal = start(options(Durability.ALWAYS), group -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      appliedOn.add(Thread.currentThread().getName());
      group.forEach(r -> heard.add(r.seq()));
      inside.decrementAndGet();
    })) {
      join(wal.append(payload(1)));
      assertThat(appliedOn).as("a lone first append: the writer applied it").singleElement()
          .matches(name -> name.startsWith("kvstore-wal-writer-") && !name.endsWith("-apply"));
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        threads.add(new Thread(() -> {
          for (int i = 0; i < 200; i++) {
            join(wal.append(payload(i)));
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join();
      }
      last = wal.lastSequence();
    }
    assertThat(last).isEqualTo(1 + 8 * 200);
    assertThat(overlaps).as("the listener never runs on two threads at once").hasValue(0);
    assertThat(heard).as("every record applied once, in seq order").containsExactlyElementsOf(range(1, last));
  }

  @Test
  void listenerFailureOnTheApplierThreadBreaksTheLogToo() throws Exception {
    RuntimeException boom = new IllegalStateException("engine refused");
    byte[] poison = "poison".getBytes();
    List<Long> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> failedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (SegmentedWal wal = start(options(Durability.ALWAYS), group -> {
      if (group.stream().anyMatch(r -> Arrays.equals(r.payload(), poison))) {
        failedOn.add(Thread.currentThread().getName());
        throw boom;
      }
      group.forEach(r -> applied.add(r.seq()));
    })) {
      channels.closeGate();
      CompletableFuture<Long> failing = wal.append(poison);
      channels.awaitForceAtGate();
      CompletableFuture<Long> behind = wal.append(payload(2));
      channels.openGate();
      assertThatThrownBy(() -> join(failing)).hasRootCause(boom);
      assertThatThrownBy(() -> join(behind)).isInstanceOf(CompletionException.class);
      assertThatThrownBy(() -> join(wal.append(payload(3)))).hasMessageContaining("accepts no more appends");
    }
    assertThat(failedOn).as("the failing group had another waiting, so the applier took it")
        .singleElement().matches(name -> name.endsWith("-apply"));
    assertThat(applied).as("nothing applied after the failed group").isEmpty();
  }

  @Test
  void neverModeForcesOnlyOnRollAndClose() throws Exception {
    SegmentedWal wal = start(options(Durability.NEVER).withSegmentBytes(256), group -> {});
    int before = channels.forces();
    for (int i = 1; i <= 40; i++) {
      append(wal, payload(i));
    }
    int rolls = segments(dir).size() - 1;
    assertThat(rolls).isPositive();
    // each roll forces the old segment, the new segment's header and the directory
    assertThat(channels.forces() - before).isEqualTo(3 * rolls);
    wal.close();
    assertThat(channels.forces() - before).isEqualTo(3 * rolls + 1);
  }

  @Test
  void periodicModeForcesOnceTheIntervalHasElapsedEvenWhenIdle() {
    AtomicLong nanos = new AtomicLong();
    WalOptions periodic =
        options(Durability.every(Duration.ofMillis(10))).withNanoTicker(nanos::get);
    try (SegmentedWal wal = start(periodic, group -> {})) {
      int before = channels.forces();
      assertThat(append(wal, payload(1))).isEqualTo(1);
      assertThat(append(wal, payload(2))).isEqualTo(2);
      assertThat(channels.forces()).as("completed without a force").isEqualTo(before);

      nanos.addAndGet(Duration.ofMillis(11).toNanos());
      await().atMost(Duration.ofSeconds(10)).until(() -> channels.forces() == before + 1);

      nanos.addAndGet(Duration.ofMillis(11).toNanos());
      assertThat(append(wal, payload(3))).isEqualTo(3);
      assertThat(channels.forces()).as("due at once after the write").isEqualTo(before + 2);
    }
  }

  @Test
  void forceFailureFailsPendingAppendsAndRefusesLaterOnes() {
    try (SegmentedWal wal = start(options(Durability.ALWAYS), group -> {})) {
      assertThat(append(wal, payload(1))).isEqualTo(1);
      channels.failForces();

      assertThatThrownBy(() -> join(wal.append(payload(2))))
          .hasCauseInstanceOf(StorageException.class)
          .hasRootCauseInstanceOf(IOException.class);
      assertThatThrownBy(() -> join(wal.append(payload(3))))
          .hasCauseInstanceOf(StorageException.class)
          .hasMessageContaining("accepts no more appends");
    }
  }
}
