package dev.kvstore.examples.bench;

import dev.kvstore.examples.LocalMachine;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The same-run baseline of {@code kvstore bench cluster --redis}: one Redis server on loopback, durable like our
 * nodes ({@code appendonly yes}, {@code appendfsync always}: an fsync before each batch of replies), no
 * replication, loaded by {@code redis-benchmark} with as many clients as the bench has threads, the same value
 * size and key space, no pipelining. Redis and its benchmark are the machine's programs (found on the PATH),
 * not dependencies of kvstore.
 */
final class RedisBaseline {
  /** One redis-benchmark test: requests per second and latency percentiles in microseconds. */
  record Figures(String test, double opsPerSecond, double p50Micros, double p99Micros) {}

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private RedisBaseline() {}

  /** The program {@code name} on the PATH, if there is one. */
  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Why the baseline cannot run here, or empty when both programs are on the PATH. */
  static Optional<String> unavailable() {
    if (onPath("redis-server").isPresent() && onPath("redis-benchmark").isPresent()) {
      return Optional.empty();
    }
    return Optional.of("--redis needs redis-server and redis-benchmark on the PATH "
        + "(Debian and Ubuntu: apt-get install redis-server)");
  }

  /**
   * Starts Redis on {@code port} with its files in {@code dir} (a new directory, deleted afterwards), runs SET
   * then GET for about {@code seconds} each, stops it and returns the two results. Redis is stopped even when
   * this JVM is interrupted or terminated meanwhile.
   *
   * @throws IOException if Redis does not start or redis-benchmark fails (the message has the end of its output)
   */
  static List<Figures> run(int port, Path dir, int clients, int valueBytes, int keys, int seconds)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    try {
      return runIn(port, dir, clients, valueBytes, keys, seconds);
    } finally {
      LocalMachine.deleteTree(dir);
    }
  }

  private static List<Figures> runIn(int port, Path dir, int clients, int valueBytes, int keys, int seconds)
      throws IOException, InterruptedException {
    Path log = dir.resolve("redis.log");
    Process server = new ProcessBuilder(onPath("redis-server").orElseThrow().toString(), "--port",
        String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        "--dir", dir.toString(), "--logfile", log.toString(), "--daemonize", "no")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
    // Unlike our nodes Redis does not stop when its standard input closes: a hook stops it if this JVM is
    // terminated during the run.
    Thread stopOnExit = new Thread(server::destroyForcibly, "bench-redis-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      awaitReady(server, log);
      List<Figures> results = new ArrayList<>();
      // Request counts sized to take about `seconds` at the rates Redis reaches on a small machine.
      results.add(benchmark("set", 30_000L * seconds, port, clients, valueBytes, keys, seconds, dir));
      results.add(benchmark("get", 60_000L * seconds, port, clients, valueBytes, keys, seconds, dir));
      return results;
    } finally {
      stop(server);
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway; Redis is already stopped
      }
    }
  }

  /** SIGTERM (Redis shuts down cleanly), then SIGKILL; an interrupt skips straight to SIGKILL and is kept. */
  private static void stop(Process server) {
    server.destroy();
    try {
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitReady(Process server, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("Ready to accept connections")) {
        return;
      }
      if (server.waitFor(50, TimeUnit.MILLISECONDS)) {
        throw new IOException("redis-server exited with code " + server.exitValue() + "; its log ends:\n" + LocalMachine.tail(log, 10));
      }
    }
    throw new IOException("redis-server was not ready within " + READY_TIMEOUT.toSeconds() + " s; its log ends:\n"
        + LocalMachine.tail(log, 10));
  }


  private static Figures benchmark(String test, long requests, int port, int clients, int valueBytes, int keys,
      int seconds, Path dir) throws IOException, InterruptedException {
    Path out = dir.resolve("redis-benchmark-" + test + ".csv");
    Process p = new ProcessBuilder(onPath("redis-benchmark").orElseThrow().toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(port), "-c", String.valueOf(clients), "-n", String.valueOf(requests), "-d",
        String.valueOf(valueBytes), "-r", String.valueOf(keys), "-t", test, "--csv")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(30L + 20L * seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IOException("redis-benchmark -t " + test + " did not finish in time; its output ends:\n" + LocalMachine.tail(out, 10));
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("redis-benchmark -t " + test + " exited with code " + p.exitValue() + ": " + lines);
    }
    return parse(test, lines);
  }

  /**
   * Reads redis-benchmark's {@code --csv} output: a header naming the columns, then one row per test.
   *
   * @throws IOException if the header or the row of {@code test} is missing or malformed
   */
  static Figures parse(String test, List<String> csv) throws IOException {
    List<String> header = null;
    for (String line : csv) {
      List<String> cells = cells(line);
      if (cells.contains("rps") && cells.contains("test")) {
        header = cells;
      } else if (header != null && header.indexOf("test") < cells.size()
          && cells.get(header.indexOf("test")).equalsIgnoreCase(test)) {
        try {
          return new Figures(test, number(cells, header, "rps"), 1000 * number(cells, header, "p50_latency_ms"),
              1000 * number(cells, header, "p99_latency_ms"));
        } catch (RuntimeException e) {
          throw new IOException("unreadable redis-benchmark row '" + line + "': " + e.getMessage(), e);
        }
      }
    }
    throw new IOException("redis-benchmark printed no " + test.toUpperCase() + " row" + (header == null
        ? " and no header" : "") + ": " + csv);
  }

  private static double number(List<String> cells, List<String> header, String column) {
    int i = header.indexOf(column);
    if (i < 0 || i >= cells.size()) {
      throw new IllegalArgumentException("no column " + column);
    }
    return Double.parseDouble(cells.get(i));
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    for (String cell : line.split(",", -1)) {
      cells.add(cell.strip().replace("\"", ""));
    }
    return cells;
  }
}
