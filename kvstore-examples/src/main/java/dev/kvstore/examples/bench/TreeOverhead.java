package dev.kvstore.examples.bench;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.antientropy.RangeTrees;
import dev.kvstore.net.internal.ring.Ring;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code kvstore bench local --anti-entropy-overhead}: the cost of keeping anti-entropy trees on the put path. Two
 * local stores on RocksDB with durability ALWAYS in the same directory, one with the trees of a node of a three-node
 * ring (N=3, so every key is in a tree) kept by its write listener, one without; durable puts over a key space of
 * 100,000 keys (so most puts overwrite: the old set is hashed out, the new one in) alternate between the two, in
 * rounds whose order flips each time, so that a change of load on a shared machine hits both alike. Prints ops/s
 * and CPU per put of each and the ratios; then loads {@code keys} keys into a store and times a rebuild of the
 * trees from it, which is what a node does at start.
 */
final class TreeOverhead {
  private static final int KEY_SPACE = 100_000;
  private static final Ring RING = Ring.of(List.of("bench", "bench-2", "bench-3"));

  private TreeOverhead() {}

  static void run(PrintWriter out, Path root, List<Integer> threads, Duration cell, int rounds, int keys,
      byte[] value) throws Exception {
    CpuMeter meter = new CpuMeter(List.of());
    out.printf("anti-entropy tree overhead: durable puts (RocksDB, ALWAYS) over %,d keys, trees on vs off, %d "
        + "alternating rounds of %d s per thread count%n%n", KEY_SPACE, rounds, cell.toSeconds());
    out.printf("| threads | off ops/s | on ops/s | ops ratio on/off | off CPU us/put | on CPU us/put | CPU ratio on/off |%n");
    out.printf("|---|---|---|---|---|---|---|%n");
    double offCpuMin = Double.MAX_VALUE;
    try (LocalStore off = open(root.resolve("trees-off")); LocalStore on = open(root.resolve("trees-on"))) {
      on.addWriteListener(new RangeTrees("bench", RING, 3, RangeTrees.DEFAULT_BUCKETS));
      for (int t : threads) {
        double[] sum = new double[4]; // off ops, off cpu*ops, on ops, on cpu*ops; seconds are equal
        for (int r = 0; r < rounds; r++) {
          for (LocalStore s : r % 2 == 0 ? List.of(off, on) : List.of(on, off)) {
            LoadRun.Result res = LoadRun.run(s == on ? "trees on" : "trees off", t, cell, meter,
                (th, i) -> s.put(LocalBenchCommand.Keys.sequential(th.nextInt(KEY_SPACE)), value));
            int at = s == on ? 2 : 0;
            sum[at] += res.ops();
            sum[at + 1] += res.cost().cpuMicros() * res.ops();
          }
        }
        double offCpu = sum[1] / sum[0];
        double onCpu = sum[3] / sum[2];
        out.printf("| %d | %,.0f | %,.0f | %.3f | %.1f | %.1f | %.3f |%n", t, sum[0] / rounds / cell.toSeconds(),
            sum[2] / rounds / cell.toSeconds(), sum[2] / sum[0], offCpu, onCpu, onCpu / offCpu);
        out.flush();
        offCpuMin = Math.min(offCpuMin, offCpu);
      }
      updateAlone(out, on, offCpuMin);
    }
    rebuild(out, root.resolve("trees-rebuild"), keys, value);
  }

  /**
   * The tree update alone, on one thread, over real (key, set) pairs of {@code store}: what a put pays for the trees
   * whatever the disk does, so the share it takes of a put's CPU is steadier than the ratio of two noisy runs.
   */
  private static void updateAlone(PrintWriter out, LocalStore store, double offCpuMicros) {
    int pairs = 1024;
    byte[][] keys = new byte[pairs][];
    byte[][] sets = new byte[pairs][];
    int[] n = {0};
    store.scanEncoded(null, null, (k, set) -> {
      keys[n[0]] = k.clone();
      sets[n[0]] = set.clone();
      return ++n[0] < pairs;
    });
    if (n[0] < pairs) {
      out.printf("%ntree update alone: not measured, the store holds fewer than %d keys%n", pairs);
      return;
    }
    RangeTrees trees = new RangeTrees("bench", RING, 3, RangeTrees.DEFAULT_BUCKETS);
    int calls = 4_000_000;
    for (int i = 0; i < calls / 4; i++) { // warm-up
      trees.onWrite(keys[i & (pairs - 1)], sets[(i + 1) & (pairs - 1)], sets[i & (pairs - 1)]);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      trees.onWrite(keys[i & (pairs - 1)], sets[(i + 1) & (pairs - 1)], sets[i & (pairs - 1)]);
    }
    double nanos = (System.nanoTime() - t0) / (double) calls;
    out.printf("%ntree update alone (ring lookup, XXH64 of the old and the new %d-byte set, two XORs): %.0f ns per "
        + "put, %.2f%% of the lowest CPU per put without trees above%n", sets[0].length, nanos,
        100 * nanos / 1000 / offCpuMicros);
  }

  private static LocalStore open(Path dir) {
    return (LocalStore) KvStore.local().dataDirectory(dir).nodeId("bench").engine(EngineType.ROCKSDB)
        .durability(Durability.ALWAYS).open();
  }

  private static void rebuild(PrintWriter out, Path dir, int keys, byte[] value) throws Exception {
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).nodeId("bench")
        .engine(EngineType.ROCKSDB).durability(Durability.NEVER).open()) {
      out.printf("%nloading %,d keys to time a rebuild of the trees (what a node does at start) ...%n", keys);
      out.flush();
      LoadRun.run("load", 8, keys, (th, i) -> store.put(LocalBenchCommand.Keys.sequential(i), value));
      RangeTrees trees = new RangeTrees("bench", RING, 3, RangeTrees.DEFAULT_BUCKETS);
      long t0 = System.nanoTime();
      trees.rebuild(store);
      out.printf("rebuild of the trees from %,d keys: %,d ms%n", keys, (System.nanoTime() - t0) / 1_000_000);
    }
  }
}
