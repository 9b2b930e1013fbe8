package dev.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ContextSwitchReaderTest {
  @TempDir Path proc;

  @Test
  void everyTaskOfAProcessIsReadAndItsVoluntaryAndInvoluntarySwitchesAdded() throws IOException {
    task(42, 42, 10, 3);
    task(42, 43, 200, 7);
    task(99, 99, 5_000, 5_000);
    assertThat(reader().byThread(List.of(42L))).contains(Map.of(42L, 13L, 43L, 207L));
  }

  @Test
  void aTaskThatExitedBeforeItsStatusWasReadAndAProcessThatExitedAreLeftOut() throws IOException {
    task(42, 42, 10, 3);
    Files.createSymbolicLink(proc.resolve("42/task/44"), proc.resolve("no-such-task"));
    assertThat(reader().byThread(List.of(42L, 77L))).contains(Map.of(42L, 13L));
  }

  @Test
  void aStatusWithoutTheCountsOrNoProcFileSystemIsUnknown() throws IOException {
    Files.createDirectories(proc.resolve("42/task/42"));
    Files.writeString(proc.resolve("42/task/42/status"), "Name:\tjava\nvoluntary_ctxt_switches:\t10\n");
    assertThat(reader().byThread(List.of(42L))).isEmpty();
    assertThat(new ContextSwitchReader(proc.resolve("absent")).byThread(List.of(42L))).isEmpty();
  }

  @Test
  void switchesBetweenTwoReadingsCountNewThreadsFromZeroAndIgnoreThreadsThatExited() {
    Map<Long, Long> before = Map.of(1L, 100L, 2L, 50L);
    Map<Long, Long> after = Map.of(1L, 130L, 3L, 7L);
    assertThat(ContextSwitchReader.between(before, after)).isEqualTo(37);
  }

  @Test
  void thisProcessHasSwitchedAndSwitchesMoreAfterYieldingAndParking() {
    Path realProc = Path.of("/proc");
    assumeThat(realProc.resolve("self/task")).as("Linux /proc").isDirectory();
    ContextSwitchReader reader = new ContextSwitchReader(realProc);
    List<Long> self = List.of(ProcessHandle.current().pid());
    Map<Long, Long> first = reader.byThread(self).orElseThrow();
    assertThat(first.values().stream().mapToLong(Long::longValue).sum()).isPositive();
    long grown = 0;
    for (int i = 0; i < 1_000 && grown <= 0; i++) {
      Thread.yield();
      LockSupport.parkNanos(100_000);
      grown = ContextSwitchReader.between(first, reader.byThread(self).orElseThrow());
    }
    assertThat(grown).isPositive();
  }

  private ContextSwitchReader reader() {
    return new ContextSwitchReader(proc);
  }

  /** A task's status file as Linux writes it, with the two counts among other fields. */
  private void task(long pid, long tid, long voluntary, long involuntary) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
    Files.writeString(dir.resolve("status"), "Name:\tjava\nState:\tS (sleeping)\nTgid:\t" + pid + "\nPid:\t" + tid
        + "\nThreads:\t2\nvoluntary_ctxt_switches:\t" + voluntary + "\nnonvoluntary_ctxt_switches:\t" + involuntary
        + "\n");
  }
}
