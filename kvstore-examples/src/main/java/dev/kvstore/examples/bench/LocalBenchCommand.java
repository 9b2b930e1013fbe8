package dev.kvstore.examples.bench;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kvstore bench local}: our local store on RocksDB with durability ALWAYS against raw RocksDB JNI
 * (its WAL on, {@code sync=true}), measured in the same run on the same disk: durable puts at each thread
 * count, then gets over a loaded key space, each cell after an unmeasured warm-up of both stores at its thread
 * count, with the ratio ours / raw and the CPU time and context switches of this process's threads per
 * operation (both stores run in this process, so each phase is metered on its own; see {@link CpuMeter}).
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Local store (RocksDB engine, durability ALWAYS) vs raw RocksDB JNI (WAL on, sync=true).")
public final class LocalBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--threads", split = ",", defaultValue = "1,4,16", description = "Thread counts (default ${DEFAULT-VALUE}).")
  List<Integer> threads;

  @Mixin LoadOptions load = new LoadOptions(5, 1_000_000);

  @Option(names = "--dir", description = "Where to put the databases (default: a temporary directory, deleted after).")
  Path dir;

  @Option(names = "--anti-entropy-overhead",
      description = "Instead of the comparison with raw RocksDB: durable puts with anti-entropy trees on and off, "
          + "alternating in one run, with the ratio; then the time to rebuild the trees from --keys keys.")
  boolean antiEntropyOverhead;

  @Option(names = "--warmup-seconds", defaultValue = "5",
      description = "Before each measurement, unmeasured operations of the same kind at the same thread count into "
          + "each store, so that the JIT has compiled the path measured; not used with --anti-entropy-overhead, "
          + "which alternates its rounds instead (default ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--rounds", defaultValue = "4",
      description = "With --anti-entropy-overhead: alternating rounds of on and off per thread count (default ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws Exception {
    load.check(spec);
    if (threads.stream().anyMatch(t -> t < 1 || t > 1024)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be between 1 and 1024");
    }
    if (warmupSeconds < 0 || warmupSeconds > 3600) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--warmup-seconds must be between 0 and 3600");
    }
    if (rounds < 1 || rounds > 100) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rounds must be between 1 and 100");
    }
    int seconds = load.seconds;
    int keys = load.keys;
    PrintWriter out = spec.commandLine().getOut();
    Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("kvstore-bench");
    RocksDB.loadLibrary();
    Duration d = Duration.ofSeconds(seconds);
    byte[] value = load.value();
    if (antiEntropyOverhead) {
      TreeOverhead.run(out, root, threads, d, rounds, keys, value);
      out.flush();
      if (dir == null) {
        dev.kvstore.examples.LocalMachine.deleteTree(root);
      }
      return 0;
    }
    out.printf("kvstore bench local: %d-byte keys, %d-byte values, %d s per cell, data in %s%n%n", 16, value.length,
        seconds, root);
    List<String[]> rows = new ArrayList<>();
    List<LoadRun.Result> results = new ArrayList<>();
    CpuMeter meter = new CpuMeter(List.of());
    try (RawRocks raw = new RawRocks(root.resolve("raw"));
        KvStore ours = KvStore.local().dataDirectory(root.resolve("ours")).nodeId("bench")
            .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).open()) {
      LoadRun.Op rawPut = (th, i) -> raw.putSync(Keys.random(th), value);
      LoadRun.Op oursPut = (th, i) -> ours.put(Keys.random(th), value);
      for (int t : threads) {
        warmUp(out, "puts", t, rawPut, oursPut);
        LoadRun.Result r = LoadRun.run("raw put", t, d, meter, rawPut);
        LoadRun.Result o = LoadRun.run("ours put", t, d, meter, oursPut);
        rows.add(row("durable put", t, r, o));
        results.addAll(List.of(r, o));
        out.printf("put  %2d threads: raw %s | ours %s%n", t, r.summary(), o.summary());
        out.flush();
      }
    }
    try (RawRocks raw = new RawRocks(root.resolve("raw-get"));
        KvStore ours = KvStore.local().dataDirectory(root.resolve("ours-get")).nodeId("bench")
            .engine(EngineType.ROCKSDB).durability(Durability.NEVER).open()) {
      out.printf("%nloading %,d keys into each ...%n", keys);
      out.flush();
      raw.load(keys, value);
      LoadRun.run("ours load", 8, keys, (th, i) -> ours.put(Keys.sequential(i), value));
      LoadRun.Op rawGet = (th, i) -> raw.get(Keys.sequential(th.nextInt(keys)));
      LoadRun.Op oursGet = (th, i) -> ours.get(Keys.sequential(th.nextInt(keys)));
      for (int t : threads) {
        warmUp(out, "gets", t, rawGet, oursGet);
        LoadRun.Result r = LoadRun.run("raw get", t, d, meter, rawGet);
        LoadRun.Result o = LoadRun.run("ours get", t, d, meter, oursGet);
        rows.add(row("get (" + keys / 1000 + "k keys)", t, r, o));
        results.addAll(List.of(r, o));
        out.printf("get  %2d threads: raw %s | ours %s%n", t, r.summary(), o.summary());
        out.flush();
      }
    }
    printTable(out, rows);
    load.writeHistograms(results);
    out.flush();
    if (dir == null) {
      dev.kvstore.examples.LocalMachine.deleteTree(root);
    }
    return 0;
  }

  /**
   * Runs {@code raw}, then {@code ours}, for the warm-up time each at {@code t} threads, unmeasured: one thread
   * and many take different paths through our store (a lone caller writes its own log group).
   */
  private void warmUp(PrintWriter out, String what, int t, LoadRun.Op raw, LoadRun.Op ours)
      throws InterruptedException {
    if (warmupSeconds == 0) {
      return;
    }
    out.printf("warming up (%d s of %s at %d thread%s into each store, not measured) ...%n", warmupSeconds, what, t,
        t == 1 ? "" : "s");
    out.flush();
    LoadRun.run("raw " + what + " warmup", t, Duration.ofSeconds(warmupSeconds), raw);
    LoadRun.run("ours " + what + " warmup", t, Duration.ofSeconds(warmupSeconds), ours);
  }

  private static void printTable(PrintWriter out, List<String[]> rows) {
    out.printf("%n| operation | threads | raw RocksDB ops/s | kvstore ops/s | ratio kvstore/raw | raw p99 us "
        + "| kvstore p99 us | raw CPU us/op | kvstore CPU us/op | raw ctx sw/op | kvstore ctx sw/op |%n");
    out.printf("|---|---|---|---|---|---|---|---|---|---|---|%n");
    for (String[] r : rows) {
      out.printf("| %s |%n", String.join(" | ", r));
    }
    out.printf("%nCPU us/op and ctx sw/op: CPU time and context switches (voluntary and involuntary, from "
        + "/proc/self/task/*/status) of all this process's threads per operation, metered per phase (both stores "
        + "run in this process: a background flush or compaction of one may fall into the other's phase).%n");
  }

  private static String[] row(String op, int threads, LoadRun.Result raw, LoadRun.Result ours) {
    return new String[] {op, Integer.toString(threads), String.format("%,.0f", raw.opsPerSecond()),
        String.format("%,.0f", ours.opsPerSecond()), String.format("%.2f", ours.opsPerSecond() / raw.opsPerSecond()),
        String.format("%.0f", raw.p99Micros()), String.format("%.0f", ours.p99Micros()),
        raw.cost().cpuCell(), ours.cost().cpuCell(), raw.cost().contextSwitchCell(), ours.cost().contextSwitchCell()};
  }

  /** Raw RocksDB JNI with its own WAL, synced on every put; the same cache and bloom filter as our engine. */
  static final class RawRocks implements AutoCloseable {
    private final Options options;
    private final LRUCache cache = new LRUCache(64L << 20);
    private final BloomFilter bloom = new BloomFilter(10);
    private final WriteOptions sync = new WriteOptions().setSync(true);
    private final RocksDB db;

    RawRocks(Path path) throws Exception {
      Files.createDirectories(path);
      options = new Options().setCreateIfMissing(true)
          .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom));
      db = RocksDB.open(options, path.toString());
    }

    void putSync(byte[] key, byte[] value) {
      try {
        db.put(sync, key, value);
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    byte[] get(byte[] key) {
      try {
        return db.get(key);
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    void load(int count, byte[] value) throws RocksDBException {
      try (WriteOptions noWal = new WriteOptions().setDisableWAL(true)) {
        for (int start = 0; start < count; start += 10_000) {
          try (WriteBatch batch = new WriteBatch()) {
            for (int i = start; i < Math.min(count, start + 10_000); i++) {
              batch.put(Keys.sequential(i), value);
            }
            db.write(noWal, batch);
          }
        }
      }
      try (org.rocksdb.FlushOptions f = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
        db.flush(f);
      }
    }

    @Override
    public void close() {
      db.close();
      sync.close();
      options.close();
      bloom.close();
      cache.close();
    }
  }

  /** Keys of exactly 16 bytes. */
  static final class Keys {
    private Keys() {}

    /** {@code k} and {@code i} in 15 zero-padded digits (no String.format: it would dominate a get). */
    static byte[] sequential(long i) {
      byte[] key = new byte[16];
      key[0] = 'k';
      long rest = i;
      for (int p = 15; p >= 1; p--) {
        key[p] = (byte) ('0' + rest % 10);
        rest /= 10;
      }
      return key;
    }

    static byte[] random(java.util.SplittableRandom random) {
      return sequential(random.nextLong(1_000_000_000_000L));
    }
  }
}
