package dev.kvstore.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** Writes the full HdrHistogram latency distribution of each measured phase to the {@code --hgrm} file. Stateless. */
final class Hgrm {
  private Hgrm() {}

  /** Writes {@code results} to {@code file} (nothing when it is null). */
  static void write(Path file, List<LoadRun.Result> results) throws IOException {
    if (file == null) {
      return;
    }
    try (PrintStream out = new PrintStream(file.toFile(), java.nio.charset.StandardCharsets.UTF_8)) {
      results.forEach(r -> r.writeDistribution(out));
    }
  }
}
