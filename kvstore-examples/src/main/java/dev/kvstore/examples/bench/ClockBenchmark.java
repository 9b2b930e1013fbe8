package dev.kvstore.examples.bench;

import dev.kvstore.clock.Causality;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.VectorClock;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Micro-benchmarks of the clock operations on the hot path of every read and write: vector clock
 * {@code compare} and {@code merge}, and {@code DvvSet.sync} of two replicas' sibling sets, at 3, 8
 * and 32 entries. Run with {@code ./kvstore jmh ClockBenchmark -f 1 -wi 2 -i 3}; results in
 * docs/benchmarks.md.
 *
 * <p>Each benchmark thread has its own state (JMH {@code Scope.Thread}); the inputs are immutable.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClockBenchmark {
  /** Number of entries (nodes) in each clock and in each set's context. */
  @Param({"3", "8", "32"})
  public int entries;

  private VectorClock concurrentA;
  private VectorClock concurrentB;
  private VectorClock before;
  private VectorClock after;
  private DvvSet<String> replicaA;
  private DvvSet<String> replicaB;

  /**
   * Builds the inputs: clocks over the same nodes, concurrent and ordered pairs, two diverged
   * replicas.
   */
  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(42);
    TreeMap<String, Long> a = new TreeMap<>();
    TreeMap<String, Long> b = new TreeMap<>();
    for (int i = 0; i < entries; i++) {
      long base = 1 + rnd.nextInt(1000);
      a.put("node-" + i, base + (i == 0 ? 1 : 0)); // a is ahead only at the first entry,
      b.put("node-" + i, base + (i == entries - 1 ? 1 : 0)); // b only at the last: a full walk
    }
    concurrentA = VectorClock.of(a);
    concurrentB = VectorClock.of(b);
    before = concurrentA;
    after = concurrentA.merge(concurrentB).increment("node-0");
    DvvSet<String> shared = DvvSet.empty();
    for (int i = 0; i < entries; i++) {
      shared = shared.update(shared.context(), "v" + i, "node-" + i);
    }
    replicaA =
        shared
            .update(shared.context(), "left", "node-0")
            .update(VectorClock.empty(), "blind", "node-1");
    replicaB = shared.update(shared.context(), "right", "node-" + (entries - 1));
  }

  /** Compares two concurrent clocks that differ only at the first and last entry: a full walk. */
  @Benchmark
  public Causality compareConcurrent() {
    return concurrentA.compare(concurrentB);
  }

  /** Compares a clock with one that descends from it. */
  @Benchmark
  public Causality compareOrdered() {
    return before.compare(after);
  }

  /** Merges two concurrent clocks over the same nodes (entry-wise maximum, a new clock). */
  @Benchmark
  public VectorClock merge() {
    return concurrentA.merge(concurrentB);
  }

  /** Syncs two replicas that each took concurrent writes after sharing a history. */
  @Benchmark
  public DvvSet<String> dvvSetSync() {
    return DvvSet.sync(replicaA, replicaB);
  }
}
