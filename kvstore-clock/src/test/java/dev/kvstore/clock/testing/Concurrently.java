package dev.kvstore.clock.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** Runs the same calls from several threads released together, for the tests of thread-safe clocks. */
public final class Concurrently {
  private Concurrently() {}

  /**
   * Runs {@code call} with {@code 0 .. perThread - 1} on each of {@code threads} threads, all started by one latch,
   * and waits up to 5 seconds for them.
   *
   * @throws AssertionError if they did not finish in time
   */
  public static void run(int threads, int perThread, IntConsumer call) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        pool.execute(() -> {
          try {
            start.await();
            for (int i = 0; i < perThread; i++) {
              call.accept(i);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            done.countDown();
          }
        });
      }
      start.countDown();
      if (!done.await(5, TimeUnit.SECONDS)) {
        throw new AssertionError(threads + " threads did not finish " + perThread + " calls each within 5 s");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
