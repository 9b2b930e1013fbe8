package dev.kvstore.examples.bench;

import dev.kvstore.examples.ClusterSettings;
import dev.kvstore.examples.LocalClusterOptions;
import dev.kvstore.examples.LocalMachine;
import dev.kvstore.examples.NodeCommand;
import dev.kvstore.examples.NodeProcess;
import dev.kvstore.examples.certs.CertsCommand;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.net.KvClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore bench cluster}: starts a cluster of N node processes (child JVMs running {@code kvstore node})
 * on free loopback ports, connects a {@link KvClient} (default N=3, W=2, R=2), runs durable puts of random keys from
 * many client threads for a while, then gets of the keys written, and prints throughput, latency percentiles
 * and what one operation costs across all the processes (CPU time and context switches, see {@link CpuMeter}).
 * The figures are judged as ratios to Hazelcast measured in the same sitting, so none is printed against an
 * absolute target; {@code ../shared/peers/side-by-side.sh} reads this table by its column and row names. The
 * children are stopped (standard input closed, then SIGTERM, then SIGKILL) and their directory deleted, also
 * when the run fails. With {@code --tls} the same load then runs against a second cluster with mutual TLS, and
 * the cost of TLS is printed as ratios to the plain-text run.
 *
 * <p>Not thread-safe: one instance runs once.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"Start a cluster of node processes on loopback and measure puts and gets through a remote client.",
        "Judged as ratios to ../shared/peers/run.sh hazelcast-client in the same sitting "
            + "(../shared/peers/side-by-side.sh)."})
public final class ClusterBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LocalClusterOptions local;
  @Mixin ClusterSettings cluster;
  @Mixin LoadOptions load = new LoadOptions(10, 100_000);

  @Option(names = "--threads", defaultValue = "16", description = "Client threads (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--warmup-seconds", defaultValue = "60",
      description = "Unmeasured operations before the phases, while the four JVMs compile the hot paths: the first "
          + "half puts, before the put phase, the second half gets, before the get phase, so that neither phase "
          + "is measured while the JITs recompile for a new mix; on two cores the compilers compete with the load "
          + "for about a minute (default ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--node-jvm-opt", paramLabel = "OPT", defaultValue = "-Xmx1g",
      description = "JVM option of each node process, repeatable, after the nodes' G1 refinement defaults on "
          + "JDK 17-19, which it overrides where it repeats one (default ${DEFAULT-VALUE}).")
  List<String> nodeJvmOpts;

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "rocksdb",
      converter = NodeCommand.EngineConverter.class,
      description = "The nodes' engine: rocksdb | memory (default ${DEFAULT-VALUE}). Same log and forces either way; "
          + "the difference is what the engine costs per operation.")
  EngineType engine;

  @Option(names = "--redis",
      description = "Also measure one Redis server in the same run (appendfsync always, no replication; "
          + "redis-benchmark with as many clients as --threads), as the baseline of the ratios. Needs redis-server "
          + "and redis-benchmark on the PATH.")
  boolean redis;

  @Option(names = "--tls",
      description = "Then run the same load against a second cluster with mutual TLS (certificates from 'kvstore "
          + "certs') and print the cost of TLS as ratios to the plain-text run before it.")
  boolean tls;

  private PrintWriter out;

  /** One cluster's measured phases and how many processes the CPU meter summed. */
  private record Run(List<LoadRun.Result> phases, int processes) {}

  @Override
  public Integer call() throws Exception {
    checkOptions();
    out = spec.commandLine().getOut();
    Path root = local.createRoot("kvstore-bench-cluster");
    try {
      // The baseline first, on a quiet disk: run after our nodes it would share the disk with their write-back.
      List<RedisBaseline.Figures> baseline = redis ? redisBaseline(root) : List.of();
      Map<String, InetSocketAddress> addresses = LocalMachine.loopbackAddresses(local.nodes());
      out.printf("kvstore bench cluster: %d node processes (durability %s, engine %s, JVM options %s), "
          + "%d client threads, %d-byte values, %,d keys, %s; data and logs in %s; %d CPUs, load average %s%n",
          local.nodes(), local.durability(), engine.name().toLowerCase(Locale.ROOT), nodeJvmOpts, threads,
          load.valueBytes, load.keys, cluster, root, Runtime.getRuntime().availableProcessors(), loadAverage());
      out.flush();
      Run plain = run(root, addresses, null);
      printTable(plain.phases(), baseline, plain.processes());
      List<LoadRun.Result> all = new ArrayList<>(plain.phases());
      if (tls) {
        List<String> members = new ArrayList<>(addresses.keySet());
        members.add("client");
        Path certs = CertsCommand.ensure(root.resolve("certs"), cluster.clusterId(), members);
        out.printf("%nThe same load with mutual TLS (certificates in %s):%n", certs);
        Run secure = run(Files.createDirectories(root.resolve("tls")), LocalMachine.loopbackAddresses(local.nodes()),
            certs);
        printTlsCost(plain, secure);
        all.addAll(secure.phases());
      }
      load.writeHistograms(all);
    } finally {
      if (local.temporary()) {
        LocalMachine.deleteTree(root);
      }
    }
    return 0;
  }

  /** Starts a cluster under {@code root} (TLS with {@code certs}, plain text if null), measures it, stops it. */
  private Run run(Path root, Map<String, InetSocketAddress> addresses, Path certs) throws IOException,
      InterruptedException {
    List<NodeProcess> children = new ArrayList<>();
    try {
      for (String id : addresses.keySet()) {
        List<String> args = nodeFlags();
        if (certs != null) {
          args.addAll(List.of("--tls-dir", certs.resolve(id).toString()));
        }
        children.add(NodeProcess.start(id, addresses, root, args, nodeJvmOpts));
      }
      for (NodeProcess child : children) {
        out.printf("  %s%n", child.awaitReady(Duration.ofSeconds(60)));
        out.flush();
      }
      CpuMeter meter = new CpuMeter(children.stream().map(c -> c.handle()).toList());
      return new Run(measure(addresses, meter, certs), meter.processes());
    } finally {
      children.forEach(NodeProcess::stop);
    }
  }

  private void checkOptions() {
    local.check(spec, 3, 16);
    cluster.check(spec, local.nodes());
    load.check(spec);
    if (threads < 1 || threads > 1024 || warmupSeconds < 0) {
      throw new ParameterException(spec.commandLine(), "need --threads 1..1024 and --warmup-seconds >= 0");
    }
    if (redis) {
      RedisBaseline.unavailable().ifPresent(why -> {
        throw new ParameterException(spec.commandLine(), why);
      });
    }
  }

  private List<String> nodeFlags() {
    List<String> flags = new ArrayList<>(cluster.nodeFlags());
    flags.addAll(List.of("--durability", local.durability()));
    flags.addAll(List.of("--engine", engine.name().toLowerCase(Locale.ROOT)));
    return flags;
  }

  private List<RedisBaseline.Figures> redisBaseline(Path root) throws IOException, InterruptedException {
    out.printf("Redis baseline: SET, then GET, about %d s each ...%n", load.seconds);
    out.flush();
    int port = LocalMachine.loopbackAddresses(1).values().iterator().next().getPort();
    return RedisBaseline.run(port, root.resolve("redis"), threads, load.valueBytes, load.keys, load.seconds);
  }

  private List<LoadRun.Result> measure(Map<String, InetSocketAddress> addresses, CpuMeter meter, Path certs)
      throws InterruptedException {
    String suffix = certs == null ? "" : " tls";
    byte[] value = load.value();
    int keys = load.keys;
    int seconds = load.seconds;
    AtomicLongArray written = new AtomicLongArray((keys + 63) / 64);
    KvClient.Builder builder = cluster.applyTo(KvClient.builder().nodes(addresses), addresses.size())
        .requestTimeout(Duration.ofSeconds(5));
    if (certs != null) {
      builder.tls(certs.resolve("client"));
    }
    try (KvClient client = builder.connect()) {
      LoadRun.Op put = (rnd, i) -> put(client, rnd.nextInt(keys), value, written);
      warmUp("puts", put);
      out.printf("puts for %d s ...%n", seconds);
      out.flush();
      LoadRun.Result puts = LoadRun.run("put" + suffix, threads, Duration.ofSeconds(seconds), meter, put);
      int[] present = setBits(written, keys);
      LoadRun.Op get = (rnd, i) -> {
        int k = present[rnd.nextInt(present.length)];
        if (!client.get(LocalBenchCommand.Keys.sequential(k)).isFound()) {
          throw new IllegalStateException("key " + k + " was written but is not found");
        }
      };
      warmUp("gets", get);
      out.printf("gets of the %,d keys written, for %d s ...%n", present.length, seconds);
      out.flush();
      LoadRun.Result gets = LoadRun.run("get" + suffix, threads, Duration.ofSeconds(seconds), meter, get);
      return List.of(puts, gets);
    }
  }

  /**
   * Half of the warm-up (rounded up) in the operation of the phase that follows it, unmeasured, so that the four
   * JVMs have compiled that phase's own mix when it is measured: after a warm-up of mixed puts and gets, the
   * nodes' JIT compilers took about 13% of a core in the put phase, 7% after one of puts (docs/benchmarks.md).
   */
  private void warmUp(String what, LoadRun.Op op) throws InterruptedException {
    int half = (warmupSeconds + 1) / 2;
    if (half == 0) {
      return;
    }
    out.printf("warming up (%d s of %s, not measured) ...%n", half, what);
    out.flush();
    LoadRun.run("warmup", threads, Duration.ofSeconds(half), op);
  }

  private static void put(KvClient client, int k, byte[] value, AtomicLongArray written) {
    client.put(LocalBenchCommand.Keys.sequential(k), value);
    written.getAndAccumulate(k >>> 6, 1L << (k & 63), (a, b) -> a | b);
  }

  private static int[] setBits(AtomicLongArray bits, int size) {
    return java.util.stream.IntStream.range(0, size).filter(k -> (bits.get(k >>> 6) & (1L << (k & 63))) != 0).toArray();
  }

  private void printTable(List<LoadRun.Result> phases, List<RedisBaseline.Figures> baseline, int processes) {
    LoadRun.Result puts = phases.get(0);
    LoadRun.Result gets = phases.get(1);
    out.printf("%n| operation | ops/s | p50 (us) | p99 (us) | p999 (us) | CPU us/op | ctx sw/op | p90 (us) | max (us) |%n");
    out.printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|%n");
    out.println(row(puts));
    out.println(row(gets));
    for (RedisBaseline.Figures f : baseline) {
      out.printf("| redis %s (baseline) | %,.0f | %.0f | %.0f | - | - | - | - | - |%n", f.test(), f.opsPerSecond(),
          f.p50Micros(), f.p99Micros());
    }
    out.printf("%n%d node processes on loopback, %d client threads, %d-byte values, %s, durability %s, "
        + "engine %s, %d s per phase; load average after the run %s%n", local.nodes(), threads, load.valueBytes,
        cluster, local.durability(), engine.name().toLowerCase(Locale.ROOT), load.seconds,
        loadAverage());
    out.printf("CPU us/op and ctx sw/op: CPU time and context switches (voluntary and involuntary, from "
        + "/proc/<pid>/task/*/status) of all %d processes (client and nodes) per operation.%n", processes);
    out.printf("These figures are judged as ratios to `../shared/peers/run.sh hazelcast-client` run in the same "
        + "sitting (`../shared/peers/side-by-side.sh`).%n");
    if (baseline.size() == 2) {
      out.printf("Ratios to one durable Redis server (no replication), same run: put / redis set = %.2fx, "
          + "get / redis get = %.2fx%n", puts.opsPerSecond() / baseline.get(0).opsPerSecond(),
          gets.opsPerSecond() / baseline.get(1).opsPerSecond());
    }
    out.flush();
  }

  /** The TLS run's rows and its cost as ratios to the plain-text run of the same sitting. */
  private void printTlsCost(Run plain, Run secure) {
    out.printf("%n| operation | ops/s | p50 (us) | p99 (us) | p999 (us) | CPU us/op | ctx sw/op | p90 (us) | max (us) |%n");
    out.printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|%n");
    secure.phases().forEach(r -> out.println(row(r)));
    out.printf("%nCost of TLS, same run (plain text first, then TLS; ratios TLS / plain):%n");
    for (int i = 0; i < plain.phases().size(); i++) {
      LoadRun.Result p = plain.phases().get(i);
      LoadRun.Result t = secure.phases().get(i);
      out.printf("  %s: ops/s %.2fx, p50 %.2fx, p99 %.2fx, CPU us/op %.2fx%n", p.name(),
          t.opsPerSecond() / p.opsPerSecond(), t.p50Micros() / p.p50Micros(), t.p99Micros() / p.p99Micros(),
          t.cost().cpuMicros() / p.cost().cpuMicros());
    }
    out.flush();
  }

  private static String row(LoadRun.Result r) {
    return String.format("| %s | %,.0f | %.0f | %.0f | %.0f | %s | %s | %.0f | %.0f |", r.name(), r.opsPerSecond(),
        r.p50Micros(), r.p99Micros(), r.p999Micros(), r.cost().cpuCell(), r.cost().contextSwitchCell(), r.p90Micros(),
        r.maxMicros());
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
