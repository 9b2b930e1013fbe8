package dev.kvstore.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Runs an operation from N threads, for a duration or a fixed count, and measures throughput and latency
 * (HdrHistogram). Each thread gets its own seeded random generator.
 */
final class LoadRun {
  private LoadRun() {}

  /** One operation; {@code random} is the calling thread's, {@code i} a global operation number. */
  @FunctionalInterface
  interface Op {
    void run(SplittableRandom random, long i) throws Exception;
  }

  /** A load run to start later (it may be interrupted). */
  @FunctionalInterface
  interface ThrowingRun {
    Result get() throws InterruptedException;
  }

  /** Throughput and latency of a run. */
  record Result(String name, long ops, double seconds, double p50Micros, double p99Micros, double p999Micros) {
    double opsPerSecond() {
      return ops / seconds;
    }

    String summary() {
      return String.format("%,9.0f ops/s p50 %6.0f us p99 %6.0f us p999 %6.0f us", opsPerSecond(), p50Micros, p99Micros, p999Micros);
    }
  }

  /** Runs for {@code duration}. */
  static Result run(String name, int threads, Duration duration, Op op) throws InterruptedException {
    return run(name, threads, duration, Long.MAX_VALUE, op);
  }

  /** Runs until {@code count} operations are done. */
  static Result run(String name, int threads, long count, Op op) throws InterruptedException {
    return run(name, threads, Duration.ofDays(1), count, op);
  }

  private static Result run(String name, int threads, Duration duration, long count, Op op) throws InterruptedException {
    List<Histogram> histograms = new ArrayList<>();
    AtomicLong next = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    long[] deadline = new long[1];
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      SplittableRandom random = new SplittableRandom(42 + t);
      Histogram histogram = new Histogram(3); // one per thread: a shared recorder would be contended
      histograms.add(histogram);
      Thread w = new Thread(() -> {
        try {
          start.await();
          long i;
          while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline[0]) {
            long t0 = System.nanoTime();
            op.run(random, i);
            histogram.recordValue((System.nanoTime() - t0) / 1000);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }, name + "-" + t);
      workers.add(w);
      w.start();
    }
    long t0 = System.nanoTime();
    deadline[0] = t0 + duration.toNanos();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (!failures.isEmpty()) {
      throw new IllegalStateException(name + " failed: " + failures.get(0), failures.get(0));
    }
    Histogram h = new Histogram(3);
    histograms.forEach(h::add);
    return new Result(name, h.getTotalCount(), seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9));
  }
}
