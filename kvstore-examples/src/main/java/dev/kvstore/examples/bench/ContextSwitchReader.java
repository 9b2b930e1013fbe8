package dev.kvstore.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads how often each thread of some processes has been switched out, voluntarily (it blocked) or not (it
 * was preempted), from Linux's {@code /proc/<pid>/task/<tid>/status}. {@code /proc/<pid>/status} alone would
 * give the counts of the thread-group leader only, so every task of the process is read.
 *
 * <p>The counts are per live thread: a thread that has exited is gone from {@code /proc}, with its counts. So
 * compare two readings thread by thread ({@link #between}) and read the second before the threads of interest
 * exit. Thread-safe (immutable).
 */
final class ContextSwitchReader {
  private static final String VOLUNTARY = "voluntary_ctxt_switches:";
  private static final String INVOLUNTARY = "nonvoluntary_ctxt_switches:";

  private final Path procRoot;

  /** Reads the {@code proc} file system mounted at {@code procRoot}, normally {@code /proc}. */
  ContextSwitchReader(Path procRoot) {
    this.procRoot = procRoot;
  }

  /**
   * The context switches so far of every live thread of the processes {@code pids}, by thread id; empty when
   * {@code procRoot} does not exist (not Linux) or a thread's status cannot be read or parsed. A thread or
   * process that exits while it is read is left out.
   */
  Optional<Map<Long, Long>> byThread(List<Long> pids) {
    if (!Files.isDirectory(procRoot)) {
      return Optional.empty();
    }
    try {
      Map<Long, Long> counts = new HashMap<>();
      for (long pid : pids) {
        for (Path task : tasks(procRoot.resolve(Long.toString(pid)).resolve("task"))) {
          read(task).ifPresent(n -> counts.put(Long.parseLong(task.getFileName().toString()), n));
        }
      }
      return Optional.of(counts);
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The switches from {@code before} to {@code after}, summed over the threads alive at {@code after}; a
   * thread absent from {@code before} was born in between and counts from zero.
   */
  static long between(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  private static List<Path> tasks(Path taskDir) throws IOException {
    try (Stream<Path> tasks = Files.list(taskDir)) {
      return tasks.toList();
    } catch (NoSuchFileException e) {
      return List.of(); // the process has exited
    }
  }

  /** A task's voluntary plus involuntary switches; empty if it exited before its status was read. */
  private static Optional<Long> read(Path task) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(task.resolve("status"));
    } catch (IOException e) {
      if (Files.exists(task)) {
        throw e;
      }
      return Optional.empty(); // the thread exited between listing and reading (ENOENT or ESRCH)
    }
    return Optional.of(field(lines, VOLUNTARY, task) + field(lines, INVOLUNTARY, task));
  }

  private static long field(List<String> lines, String name, Path task) {
    for (String line : lines) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim());
      }
    }
    throw new IllegalArgumentException(task + "/status has no " + name);
  }
}
