package dev.kvstore.examples.bench;

import picocli.CommandLine.Command;

/** {@code kvstore bench ...}: load generators with throughput and latency percentiles. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: 'bench local' compares the local store with raw RocksDB.",
    subcommands = {LocalBenchCommand.class, ClusterBenchCommand.class})
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
