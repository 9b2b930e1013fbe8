package dev.kvstore.examples.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The load options both benchmarks share: how long each measurement runs, the key space, the value size, and an
 * optional file for the full latency distributions. A picocli mixin whose defaults each benchmark sets by
 * constructing it ({@code @Mixin LoadOptions load = new LoadOptions(5, 1_000_000)}); not thread-safe.
 */
public final class LoadOptions {
  @Option(names = "--seconds", description = "Seconds per measurement (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--keys", description = "Key space: keys written, then read (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--value-bytes", description = "Value size, 1 to 1048576 (default ${DEFAULT-VALUE}).")
  int valueBytes = 100;

  @Option(names = "--hgrm", paramLabel = "FILE",
      description = "Also write the full latency distribution of each measurement (HdrHistogram's percentile "
          + "output) to FILE.")
  Path hgrm;

  /** Options whose defaults are {@code seconds} per measurement over {@code keys} keys of 100-byte values. */
  LoadOptions(int seconds, int keys) {
    this.seconds = seconds;
    this.keys = keys;
  }

  /**
   * A usage error unless seconds and keys are positive and the value size is 1 byte to 1 MiB.
   *
   * @throws ParameterException naming the options
   */
  void check(CommandSpec spec) {
    if (seconds < 1 || keys < 1 || valueBytes < 1 || valueBytes > (1 << 20)) {
      throw new ParameterException(spec.commandLine(),
          "need --seconds >= 1, --keys >= 1 and --value-bytes 1..1048576");
    }
  }

  /** A value of the configured size. */
  byte[] value() {
    byte[] value = new byte[valueBytes];
    java.util.Arrays.fill(value, (byte) 'v');
    return value;
  }

  /** Writes the distributions of {@code results} to {@code --hgrm}, if given. */
  void writeHistograms(List<LoadRun.Result> results) throws IOException {
    Hgrm.write(hgrm, results);
  }
}
