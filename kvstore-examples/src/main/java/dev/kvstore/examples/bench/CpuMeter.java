package dev.kvstore.examples.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time used so far by this process and some child processes, summed, as the operating system reports
 * it ({@link ProcessHandle.Info#totalCpuDuration()}), and the context switches of their threads (from
 * {@code /proc} on Linux, see {@link ContextSwitchReader}). Two {@link Sample}s around a phase, divided by its
 * operations, give what one operation costs across every process involved: unlike throughput, that does not
 * depend on how fast the disk or the other tenants of the machine are at the moment. Thread-safe (immutable).
 *
 * <p>Context switches are counted only for threads alive at the second sample: those of a thread that exits
 * in between are lost. CPU time includes exited threads.
 */
final class CpuMeter {
  private final List<ProcessHandle> processes;
  private final ContextSwitchReader switches;

  /** Meters this process and {@code children}, with context switches from {@code /proc}. */
  CpuMeter(List<ProcessHandle> children) {
    this(children, new ContextSwitchReader(Path.of("/proc")));
  }

  /** Meters this process and {@code children}, with context switches from {@code switches}. */
  CpuMeter(List<ProcessHandle> children, ContextSwitchReader switches) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(ProcessHandle.current());
    all.addAll(children);
    this.processes = List.copyOf(all);
    this.switches = switches;
  }

  /** How many processes are metered. */
  int processes() {
    return processes.size();
  }

  /** The CPU time and context switches so far. */
  Sample sample() {
    return new Sample(totalCpu(), switches.byThread(processes.stream().map(ProcessHandle::pid).toList()));
  }

  private Optional<Duration> totalCpu() {
    Duration sum = Duration.ZERO;
    for (ProcessHandle p : processes) {
      Optional<Duration> cpu = p.info().totalCpuDuration();
      if (cpu.isEmpty()) {
        return Optional.empty();
      }
      sum = sum.plus(cpu.get());
    }
    return Optional.of(sum);
  }

  /**
   * One reading: the summed CPU time, empty when the OS does not tell it for one of the processes, and the
   * context switches of each live thread by thread id, empty when {@code /proc} cannot tell them.
   */
  record Sample(Optional<Duration> cpu, Optional<Map<Long, Long>> switchesByThread) {}

  /** What one operation of a phase cost, summed over the metered processes; NaN where unknown. */
  record Cost(double cpuMicros, double contextSwitches) {
    /** The cost of a phase that was not metered. */
    static final Cost UNKNOWN = new Cost(Double.NaN, Double.NaN);

    /** The cost per operation from {@code before} to {@code after} over {@code ops} operations. */
    static Cost perOp(Sample before, Sample after, long ops) {
      if (ops <= 0) {
        return UNKNOWN;
      }
      return new Cost(cpuNanos(before, after) / 1e3 / ops, switches(before, after) / ops);
    }

    private static double cpuNanos(Sample before, Sample after) {
      if (before.cpu().isEmpty() || after.cpu().isEmpty()) {
        return Double.NaN;
      }
      return after.cpu().get().minus(before.cpu().get()).toNanos();
    }

    private static double switches(Sample before, Sample after) {
      if (before.switchesByThread().isEmpty() || after.switchesByThread().isEmpty()) {
        return Double.NaN;
      }
      return ContextSwitchReader.between(before.switchesByThread().get(), after.switchesByThread().get());
    }

    /** Microseconds of CPU per operation, rounded, or {@code n/a}. */
    String cpuCell() {
      return Double.isNaN(cpuMicros) ? "n/a" : String.format("%.0f", cpuMicros);
    }

    /** Context switches per operation to two decimals (always with a point), or {@code n/a}. */
    String contextSwitchCell() {
      return Double.isNaN(contextSwitches) ? "n/a" : String.format(Locale.ROOT, "%.2f", contextSwitches);
    }
  }
}
