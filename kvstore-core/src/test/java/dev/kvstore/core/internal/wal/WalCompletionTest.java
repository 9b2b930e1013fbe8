package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.join;
import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.OverloadedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where a group's appends complete (one task per completer and group), and the bound of the append queue. */
@Timeout(60)
class WalCompletionTest {
  @TempDir Path dir;
  private final CountingChannelFactory channels = new CountingChannelFactory();
  private final ExecutorService loopA = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop-a"));
  private final ExecutorService loopB = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop-b"));
  private final AtomicInteger tasksA = new AtomicInteger();
  private final AtomicInteger tasksB = new AtomicInteger();
  // One instance each: the writer groups completions by executor identity.
  private final java.util.concurrent.Executor completerA = counted(loopA, tasksA);
  private final java.util.concurrent.Executor completerB = counted(loopB, tasksB);

  @AfterEach
  void stopExecutors() throws InterruptedException {
    loopA.shutdown();
    loopB.shutdown();
    assertThat(loopA.awaitTermination(10, TimeUnit.SECONDS) && loopB.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private SegmentedWal start(WalOptions options) {
    SegmentedWal wal = SegmentedWal.open(options);
    wal.replay(0, (seq, p) -> {});
    wal.start(group -> {});
    return wal;
  }

  @Test
  void aGroupCompletesOnEachCompleterInOneTaskAndTheRestOnTheWriter() throws InterruptedException {
    List<CompletableFuture<String>> onA = new ArrayList<>();
    List<CompletableFuture<String>> onB = new ArrayList<>();
    List<CompletableFuture<String>> onWriter = new ArrayList<>();
    try (SegmentedWal wal = start(WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(channels))) {
      channels.closeGate();
      CompletableFuture<String> first = nameOfCompleter(wal.append(payload(0), completerA));
      channels.awaitForceAtGate(); // everything appended now waits behind this force: one group
      for (int i = 1; i <= 10; i++) {
        onA.add(nameOfCompleter(wal.append(payload(i), completerA)));
        onB.add(nameOfCompleter(wal.append(payload(100 + i), completerB)));
        onWriter.add(nameOfCompleter(wal.append(payload(200 + i))));
      }
      channels.openGate();
      assertThat(first.join()).isEqualTo("loop-a");
      assertThat(onA).allSatisfy(f -> assertThat(f.join()).isEqualTo("loop-a"));
      assertThat(onB).allSatisfy(f -> assertThat(f.join()).isEqualTo("loop-b"));
      assertThat(onWriter).allSatisfy(f -> assertThat(f.join()).startsWith("kvstore-wal-writer"));
    }
    assertThat(tasksA).as("loop A is woken once per group (two groups), not once per append").hasValue(2);
    assertThat(tasksB).as("loop B had appends in one group").hasValue(1);
  }

  @Test
  void aFullQueueRefusesAnAppendAtOnceAndWritesNothingOfIt() throws InterruptedException {
    WalOptions options = WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(channels)
        .withMaxQueuedRecords(2);
    try (SegmentedWal wal = start(options)) {
      channels.closeGate();
      CompletableFuture<Long> writing = wal.append(payload(1));
      channels.awaitForceAtGate();
      CompletableFuture<Long> queued1 = wal.append(payload(2));
      CompletableFuture<Long> queued2 = wal.append(payload(3));
      CompletableFuture<Long> refused = wal.append(payload(4));
      assertThat(refused).as("refused before the writer frees any room").isCompletedExceptionally();
      assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(OverloadedException.class).hasMessageContaining("2 appends");
      channels.openGate();
      assertThat(List.of(join(writing), join(queued1), join(queued2))).containsExactly(1L, 2L, 3L);
      assertThat(join(wal.append(payload(5)))).as("room again once the queue drained").isEqualTo(4L);
    }
    assertThat(readAll(options)).extracting(WalRecord::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  private static CompletableFuture<String> nameOfCompleter(CompletableFuture<Long> f) {
    CompletableFuture<String> name = new CompletableFuture<>();
    f.whenComplete((seq, e) -> name.complete(Thread.currentThread().getName()));
    return name;
  }

  private static java.util.concurrent.Executor counted(ExecutorService executor, AtomicInteger tasks) {
    return task -> {
      tasks.incrementAndGet();
      executor.execute(task);
    };
  }
}
