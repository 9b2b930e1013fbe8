package dev.kvstore.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Runs an operation from N threads, for a duration or a fixed count, and measures throughput and latency
 * (HdrHistogram), and optionally the cost of an operation ({@link CpuMeter}). Each thread gets its own seeded
 * random generator.
 */
final class LoadRun {
  private LoadRun() {}

  /** One operation; {@code random} is the calling thread's, {@code i} a global operation number. */
  @FunctionalInterface
  interface Op {
    void run(SplittableRandom random, long i) throws Exception;
  }

  /** Throughput, latency and, if metered, the cost of one operation ({@link CpuMeter.Cost#UNKNOWN} if not). */
  record Result(String name, long ops, double seconds, Histogram histogram, CpuMeter.Cost cost) {
    double opsPerSecond() {
      return ops / seconds;
    }

    double p50Micros() {
      return histogram.getValueAtPercentile(50);
    }

    double p90Micros() {
      return histogram.getValueAtPercentile(90);
    }

    double p99Micros() {
      return histogram.getValueAtPercentile(99);
    }

    double p999Micros() {
      return histogram.getValueAtPercentile(99.9);
    }

    double maxMicros() {
      return histogram.getMaxValue();
    }

    String summary() {
      return String.format("%,9.0f ops/s p50 %5.0f p90 %5.0f p99 %5.0f p99.9 %6.0f max %6.0f us", opsPerSecond(),
          p50Micros(), p90Micros(), p99Micros(), p999Micros(), maxMicros());
    }

    /** The full latency distribution (HdrHistogram's percentile output, in microseconds) under a title line. */
    void writeDistribution(java.io.PrintStream out) {
      out.println("# " + name + ": " + ops + " operations in " + String.format("%.1f", seconds) + " s, latency in us");
      histogram.outputPercentileDistribution(out, 1.0);
      out.println();
    }
  }

  /** Runs for {@code duration}. */
  static Result run(String name, int threads, Duration duration, Op op) throws InterruptedException {
    return run(name, threads, duration, Long.MAX_VALUE, Optional.empty(), op);
  }

  /**
   * Runs for {@code duration} and meters the cost of an operation: {@code meter} is sampled once the workers
   * have started, and again after their last operation but before they exit, so that their context switches
   * are still in {@code /proc}.
   */
  static Result run(String name, int threads, Duration duration, CpuMeter meter, Op op) throws InterruptedException {
    return run(name, threads, duration, Long.MAX_VALUE, Optional.of(meter), op);
  }

  /** Runs until {@code count} operations are done. */
  static Result run(String name, int threads, long count, Op op) throws InterruptedException {
    return run(name, threads, Duration.ofDays(1), count, Optional.empty(), op);
  }

  private static Result run(String name, int threads, Duration duration, long count, Optional<CpuMeter> meter,
      Op op) throws InterruptedException {
    Workers workers = new Workers(name, threads, count, op);
    try {
      Optional<CpuMeter.Sample> before = meter.map(CpuMeter::sample);
      long t0 = System.nanoTime();
      workers.go(t0 + duration.toNanos());
      boolean timed = count == Long.MAX_VALUE;
      try (Progress progress = Progress.start(name, timed ? duration.toMillis() : count, timed ? "ms" : "ops")) {
        while (!workers.awaitLastOperation(250)) {
          long elapsedNanos = System.nanoTime() - t0;
          long done = workers.done();
          progress.update(timed ? elapsedNanos / 1_000_000 : done, done, elapsedNanos / 1e9);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Optional<CpuMeter.Sample> after = meter.map(CpuMeter::sample);
      Histogram h = workers.histogram(name);
      CpuMeter.Cost cost = meter.isEmpty() ? CpuMeter.Cost.UNKNOWN
          : CpuMeter.Cost.perOp(before.get(), after.get(), h.getTotalCount());
      return new Result(name, h.getTotalCount(), seconds, h, cost);
    } finally {
      workers.release();
    }
  }

  /**
   * The threads of one run. Each waits for {@link #go}, runs operations until the count or the deadline is
   * reached, then waits for {@link #release} before it exits. Histograms are per thread (a shared recorder would
   * be contended) and read after the last operation. Not thread-safe: the thread that creates it calls it.
   */
  private static final class Workers {
    private final List<Histogram> histograms = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong next = new AtomicLong();
    private final CountDownLatch start = new CountDownLatch(1);
    private final CountDownLatch finished;
    private final CountDownLatch exit = new CountDownLatch(1);
    private final long count;
    private final Op op;
    private volatile long deadline; // System.nanoTime() to stop at; release() moves it to the past

    Workers(String name, int n, long count, Op op) {
      this.finished = new CountDownLatch(n);
      this.count = count;
      this.op = op;
      for (int t = 0; t < n; t++) {
        Histogram histogram = new Histogram(3);
        histograms.add(histogram);
        SplittableRandom random = new SplittableRandom(42 + t);
        Thread w = new Thread(() -> work(random, histogram), name + "-" + t);
        threads.add(w);
        w.start();
      }
    }

    void go(long deadlineNanos) {
      deadline = deadlineNanos;
      start.countDown();
    }

    /** Whether every thread did its last operation, waiting at most {@code millis}. */
    boolean awaitLastOperation(long millis) throws InterruptedException {
      return finished.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Operations started so far (for progress). */
    long done() {
      return Math.min(next.get(), count);
    }

    /** All threads' latencies, once every thread has done its last operation. */
    Histogram histogram(String name) {
      if (!failures.isEmpty()) {
        throw new IllegalStateException(name + " failed: " + failures.get(0), failures.get(0));
      }
      Histogram h = new Histogram(3);
      histograms.forEach(h::add);
      return h;
    }

    /** Stops the threads if they still run (the caller failed or was interrupted), lets them exit, joins them. */
    void release() throws InterruptedException {
      deadline = Long.MIN_VALUE;
      start.countDown();
      exit.countDown();
      for (Thread w : threads) {
        w.join();
      }
    }

    private void work(SplittableRandom random, Histogram histogram) {
      try {
        start.await();
        long i;
        while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
          long t0 = System.nanoTime();
          op.run(random, i);
          histogram.recordValue((System.nanoTime() - t0) / 1000);
        }
      } catch (Throwable e) {
        failures.add(e);
      } finally {
        finished.countDown();
      }
      awaitExit();
    }

    private void awaitExit() {
      try {
        exit.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // exit at once: the run no longer measures this thread
      }
    }
  }
}
