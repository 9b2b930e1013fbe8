package dev.kvstore.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CPU time used so far by this process and some child processes, summed, as the operating system reports
 * it ({@link ProcessHandle.Info#totalCpuDuration()}). Divided by the operations of a phase it gives the CPU
 * one operation costs across every process involved: unlike throughput, that does not depend on how fast the
 * disk or the other tenants of the machine are at the moment. Thread-safe (immutable).
 */
final class CpuMeter {
  private final List<ProcessHandle> processes;

  /** Meters this process and {@code children}. */
  CpuMeter(List<ProcessHandle> children) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(ProcessHandle.current());
    all.addAll(children);
    this.processes = List.copyOf(all);
  }

  /** How many processes are metered. */
  int processes() {
    return processes.size();
  }

  /** The summed CPU time so far, or empty when the OS does not tell it for one of the processes. */
  Optional<Duration> total() {
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

  /** Microseconds of CPU per operation between two readings of {@link #total()}; NaN if either is unknown. */
  static double microsPerOp(Optional<Duration> before, Optional<Duration> after, long ops) {
    if (before.isEmpty() || after.isEmpty() || ops <= 0) {
      return Double.NaN;
    }
    return after.get().minus(before.get()).toNanos() / 1e3 / ops;
  }
}
