package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.internal.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path's threading: a write holds its key only while it appends to the log, not while the log forces,
 * so writes of one hot key share forces; and the async API never runs callers' callbacks on the log's threads.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WritePathTest {
  private static final Pattern STATS = Pattern.compile("appends=(\\d+), groups=(\\d+), forces=(\\d+)");

  @TempDir Path dir;

  @Test
  void writesOfOneKeyFromManyThreadsShareForces() throws Exception {
    int threads = 16;
    int perThread = 20;
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY)
        .durability(Durability.ALWAYS).open()) {
      long[] before = stats(store);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            store.put("hot", "t" + id + "-" + i);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(1, TimeUnit.MINUTES);
      }
      pool.shutdown();
      long[] after = stats(store);
      long appends = after[0] - before[0];
      long forces = after[2] - before[2];
      assertThat(appends).as("every put of the key was logged").isEqualTo((long) threads * perThread);
      assertThat(forces).as("forces for %d appends of one key (one each if the key stayed locked across a force)", appends)
          .isLessThanOrEqualTo(appends / 2);
      assertThat(store.get("hot").strings()).as("each blind put superseded everything before it").hasSize(1);
    }
  }

  @Test
  void asyncResultsCompleteOnTheStoreThreadsNotTheLogs() {
    try (KvStore store = KvStore.local().dataDirectory(dir).nodeId("n7").durability(Durability.ALWAYS).open()) {
      CompletableFuture<String> thread = store.putAsync(bytes("k"), bytes("v"))
          .thenApply(context -> Thread.currentThread().getName());
      assertThat(thread.join()).startsWith("kvstore-n7-").doesNotContain("wal");
      // The key was just written, so its set is in memory: the read runs on the caller, no hand-off at all.
      CompletableFuture<Versions> cached = store.getAsync(bytes("k"));
      assertThat(cached).as("a cached read is answered before getAsync returns").isCompleted();
      String caller = Thread.currentThread().getName();
      assertThat(cached.thenApply(v -> Thread.currentThread().getName()).join()).isEqualTo(caller);
    }
  }

  /** appends, groups, forces of the store's log so far. */
  private static long[] stats(LocalStore store) {
    Matcher m = STATS.matcher(store.describe());
    assertThat(m.find()).as("log statistics in %s", store.describe()).isTrue();
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
