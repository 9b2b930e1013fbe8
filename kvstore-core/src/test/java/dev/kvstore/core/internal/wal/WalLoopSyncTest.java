package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.LoopExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends made on an event loop are written, forced, applied and completed by the loop itself at the end of
 * its pass (no hand-off to the writer thread and back), in the same order as appends of other threads.
 */
@Timeout(60)
class WalLoopSyncTest {
  @TempDir Path dir;
  private final CountingChannelFactory channels = new CountingChannelFactory();
  private final TestLoop loop = new TestLoop();
  private final List<String> appliedOn = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopLoop() throws InterruptedException {
    loop.thread.shutdown();
    assertThat(loop.thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private SegmentedWal start() {
    SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(channels));
    wal.replay(0, (seq, p) -> {});
    wal.start(group -> appliedOn.add(Thread.currentThread().getName()));
    return wal;
  }

  @Test
  void aPassOfAppendsIsForcedOnceAndCompletedOnTheLoopItself() throws Exception {
    List<CompletableFuture<String>> completedOn = new ArrayList<>();
    try (SegmentedWal wal = start()) {
      appendOneAndWaitUntilTheWriterIsIdle(wal); // else the loop finds it holding the log and leaves it the pass
      int forcesBefore = channels.forces();
      loop.submit(() -> {
        for (int i = 0; i < 20; i++) {
          CompletableFuture<String> on = new CompletableFuture<>();
          wal.append(payload(i), loop).whenComplete((seq, e) -> on.complete(Thread.currentThread().getName()));
          completedOn.add(on);
        }
      }).get(10, TimeUnit.SECONDS);
      for (CompletableFuture<String> on : completedOn) {
        assertThat(on.get(10, TimeUnit.SECONDS)).isEqualTo("test-loop");
      }
      assertThat(channels.forces() - forcesBefore).as("one pass, one force").isEqualTo(1);
      assertThat(appliedOn).as("applied by the loop, not the writer thread").containsExactly("test-loop");
    }
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS))).hasSize(21);
  }

  @Test
  void loopAndThreadAppendsKeepEachAppendersOrder() throws Exception {
    Map<Long, Integer> seqOf = new ConcurrentHashMap<>(); // payload id -> seq
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try (SegmentedWal wal = start()) {
      List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
      List<java.util.concurrent.Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        long base = 1000L * (t + 1);
        work.add(threads.submit(() -> {
          for (int i = 0; i < 200; i++) {
            long id = base + i;
            all.add(wal.append(payload(id)).thenAccept(seq -> seqOf.put(id, seq.intValue())));
          }
        }));
      }
      for (int pass = 0; pass < 20; pass++) {
        int first = pass * 10;
        work.add(loop.submit(() -> {
          for (int i = first; i < first + 10; i++) {
            long id = i;
            all.add(wal.append(payload(id), loop).thenAccept(seq -> seqOf.put(id, seq.intValue())));
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : work) {
        f.get(30, TimeUnit.SECONDS);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } finally {
      threads.shutdown();
    }
    assertThat(seqOf).hasSize(800);
    for (long base : new long[] {0, 1000, 2000, 3000}) {
      for (int i = 1; i < 200; i++) {
        assertThat(seqOf.get(base + i)).as("appender %d keeps its order at %d", base, i)
            .isGreaterThan(seqOf.get(base + i - 1));
      }
    }
    List<WalRecord> records = readAll(WalOptions.defaults(dir, Durability.ALWAYS));
    assertThat(records).extracting(WalRecord::seq).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 800).boxed().toList());
    for (WalRecord r : records) {
      long id = Long.parseLong(new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8).split("-")[1]);
      assertThat(seqOf.get(id)).as("payload %d was written at its own seq", id).isEqualTo((int) r.seq());
    }
  }

  @Test
  void aForceThatFailsOnTheLoopBreaksTheLog() throws Exception {
    try (SegmentedWal wal = start()) {
      channels.failForces();
      CompletableFuture<Long> failed = loop.submit(() -> wal.append(payload(1), loop)).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
      assertThat(wal.failed()).isTrue();
      assertThatThrownBy(() -> wal.append(payload(2)).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StorageException.class).hasMessageContaining("accepts no more appends");
    }
  }

  @Test
  void withPeriodicDurabilityTheWriterThreadKeepsTheTimerAndForcesALoopsAppend() throws Exception {
    SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(dir, Durability.every(java.time.Duration.ofMillis(20)))
        .withChannelFactory(channels));
    wal.replay(0, (seq, p) -> {});
    wal.start(group -> appliedOn.add(Thread.currentThread().getName()));
    try (wal) {
      int before = channels.forces();
      CompletableFuture<Long> written = loop.submit(() -> wal.append(payload(1), loop)).get(10, TimeUnit.SECONDS);
      assertThat(written.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> channels.forces() > before);
      assertThat(appliedOn).as("written by the writer thread, which keeps the interval").noneMatch("test-loop"::equals);
    }
  }

  @Test
  void aLoopNeverRollsOrPreallocatesTheSegmentAndAppendsKeepTheirOrderAcrossRolls() throws Exception {
    List<String> openedOn = new CopyOnWriteArrayList<>();
    ChannelFactory recording = (path, options) -> {
      openedOn.add(Thread.currentThread().getName());
      return channels.open(path, options);
    };
    SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(recording)
        .withSegmentBytes(4096));
    wal.replay(0, (seq, p) -> {});
    wal.start(group -> {});
    List<CompletableFuture<Long>> all = new ArrayList<>();
    try (wal) {
      for (int pass = 0; pass < 30; pass++) {
        int first = pass * 10;
        all.addAll(loop.submit(() -> {
          List<CompletableFuture<Long>> mine = new ArrayList<>();
          for (int i = first; i < first + 10; i++) {
            mine.add(wal.append(payload(i), loop));
          }
          return mine;
        }).get(10, TimeUnit.SECONDS));
      }
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1L);
      }
    }
    assertThat(openedOn).as("segments rolled (small segments)").hasSizeGreaterThan(2)
        .as("never on the loop").noneMatch("test-loop"::equals);
  }

  @Test
  void appendsOfALoopThatNeverRunsItsEndOfPassTaskAreWrittenAtClose() throws Exception {
    loop.dropEndOfPass = true; // a loop shutting down before the end of its pass
    CompletableFuture<Long> pending;
    try (SegmentedWal wal = start()) {
      pending = loop.submit(() -> wal.append(payload(1), loop)).get(10, TimeUnit.SECONDS);
      assertThat(pending).as("nobody writes it while the log is open").isNotDone();
    }
    assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
  }

  @Test
  void aCallerAloneWritesForcesAppliesAndCompletesItsOwnAppendWithNoHandOff() throws Exception {
    try (SegmentedWal wal = start()) {
      appendOneAndWaitUntilTheWriterIsIdle(wal);
      int forcesBefore = channels.forces();
      CompletableFuture<Long> mine = wal.append(payload(1), WriteAheadLog.CALLER_WRITES);
      assertThat(mine).as("the writer thread was not woken for it").isNotDone();
      wal.writeOnCaller();
      assertThat(mine).as("durable when writeOnCaller returns").isCompletedWithValue(2L);
      assertThat(channels.forces() - forcesBefore).isEqualTo(1);
      assertThat(appliedOn).as("applied by the caller").containsExactly(Thread.currentThread().getName());
    }
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS))).hasSize(2);
  }

  @Test
  void anInterruptedCallerWritesItsGroupKeepsItsInterruptAndTheLogGoesOn() throws Exception {
    try (SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(dir, Durability.ALWAYS))) { // real FileChannels
      wal.replay(0, (seq, p) -> {});
      wal.start(group -> appliedOn.add(Thread.currentThread().getName()));
      appendOneAndWaitUntilTheWriterIsIdle(wal);
      CompletableFuture<Long> mine = wal.append(payload(1), WriteAheadLog.CALLER_WRITES);
      Thread.currentThread().interrupt(); // a FileChannel used by an interrupted thread closes itself
      try {
        wal.writeOnCaller();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(mine).isCompletedWithValue(2L);
      assertThat(appliedOn).as("written by the interrupted caller").containsExactly(Thread.currentThread().getName());
      assertThat(wal.failed()).isFalse();
      assertThat(wal.append(payload(2)).get(10, TimeUnit.SECONDS)).as("the log goes on").isEqualTo(3L);
    }
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS))).extracting(WalRecord::seq).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aCallerWhoseAppendFindsOthersWaitingLeavesTheGroupToTheWriterThread() throws Exception {
    try (SegmentedWal wal = start()) {
      appendOneAndWaitUntilTheWriterIsIdle(wal);
      loop.dropEndOfPass = true; // a loop's append that waits in the queue, unwritten
      loop.submit(() -> wal.append(payload(1), loop)).get(10, TimeUnit.SECONDS);
      CompletableFuture<Long> mine = wal.append(payload(2), WriteAheadLog.CALLER_WRITES);
      wal.writeOnCaller(); // not alone: the writer thread was signalled and writes both
      assertThat(mine.get(10, TimeUnit.SECONDS)).isEqualTo(3L);
      assertThat(appliedOn).as("written by the writer thread").singleElement().asString()
          .startsWith("kvstore-wal-writer");
    }
  }

  /** Appends and awaits record 1, then waits until the writer thread is parked again; clears {@code appliedOn}. */
  private void appendOneAndWaitUntilTheWriterIsIdle(SegmentedWal wal) throws Exception {
    wal.append(payload(99)).get(10, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(this::writerIsIdle);
    appliedOn.clear();
  }

  /** Whether this test's log writer thread waits for work (parked in the queue's await). */
  private boolean writerIsIdle() {
    String name = "kvstore-wal-writer-" + dir.getFileName();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .anyMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
  }

  @Test
  void aDeferredAppendWaitsForTheLoopsNextForceAndCompletesOnlyWithIt() throws Exception {
    try (SegmentedWal wal = start()) {
      appendOneAndWaitUntilTheWriterIsIdle(wal);
      int forcesBefore = channels.forces();
      LoopExecutor.Deferring deferring = loop.deferring(TimeUnit.MINUTES.toNanos(10)); // its deadline never comes
      CompletableFuture<Long> deferred = loop.submit(() -> wal.append(payload(1), deferring)).get(10, TimeUnit.SECONDS);
      loop.submit(() -> {}).get(10, TimeUnit.SECONDS); // a later pass: the first one's end has passed
      assertThat(deferred).as("no force at the end of its pass").isNotDone();
      assertThat(channels.forces()).isEqualTo(forcesBefore);

      CompletableFuture<String> completedOn = new CompletableFuture<>();
      deferred.whenComplete((seq, e) -> completedOn.complete(Thread.currentThread().getName()));
      CompletableFuture<Long> urgent = loop.submit(() -> wal.append(payload(2), loop)).get(10, TimeUnit.SECONDS);
      assertThat(urgent.get(10, TimeUnit.SECONDS)).isEqualTo(3L);
      assertThat(deferred.get(10, TimeUnit.SECONDS)).as("written before the urgent append, in one group").isEqualTo(2L);
      assertThat(channels.forces() - forcesBefore).as("one force for both").isEqualTo(1);
      assertThat(completedOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-loop");
    }
  }

  @Test
  void aDeferredAppendAloneIsForcedByTheLoopAtItsDeadline() throws Exception {
    try (SegmentedWal wal = start()) {
      appendOneAndWaitUntilTheWriterIsIdle(wal);
      int forcesBefore = channels.forces();
      LoopExecutor.Deferring deferring = loop.deferring(TimeUnit.MILLISECONDS.toNanos(20));
      long began = System.nanoTime();
      CompletableFuture<Long> deferred = loop.submit(() -> {
        CompletableFuture<Long> first = wal.append(payload(1), deferring);
        wal.append(payload(2), deferring); // one deadline for both
        return first;
      }).get(10, TimeUnit.SECONDS);
      assertThat(deferred.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
      assertThat(System.nanoTime() - began).as("not before its deadline").isGreaterThanOrEqualTo(20_000_000L);
      assertThat(channels.forces() - forcesBefore).isEqualTo(1);
      assertThat(appliedOn).as("written by the loop's timer, not the writer thread").containsExactly("test-loop");
    }
    assertThat(readAll(WalOptions.defaults(dir, Durability.ALWAYS))).hasSize(3);
  }

  @Test
  void aDeferringCompleterNeedsAPositiveDelay() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> loop.deferring(0))
        .withMessageContaining("maxDelayNanos must be positive");
  }

  /**
   * A one-thread "event loop": an end-of-pass task is queued behind the tasks already submitted; timers run on
   * the same thread.
   */
  private static final class TestLoop implements LoopExecutor {
    final java.util.concurrent.ScheduledThreadPoolExecutor thread = newThread();

    private static java.util.concurrent.ScheduledThreadPoolExecutor newThread() {
      var t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-loop"));
      t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      return t;
    }
    private volatile Thread loopThread;
    volatile boolean dropEndOfPass;

    <T> java.util.concurrent.Future<T> submit(java.util.concurrent.Callable<T> task) {
      return thread.submit(() -> {
        loopThread = Thread.currentThread();
        return task.call();
      });
    }

    java.util.concurrent.Future<?> submit(Runnable task) {
      return submit(() -> {
        task.run();
        return null;
      });
    }

    @Override
    public void execute(Runnable task) {
      thread.execute(task);
    }

    @Override
    public boolean inLoop() {
      return Thread.currentThread() == loopThread;
    }

    @Override
    public void executeAtEndOfPass(Runnable task) {
      if (!dropEndOfPass) {
        thread.execute(task);
      }
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
      thread.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
  }
}
