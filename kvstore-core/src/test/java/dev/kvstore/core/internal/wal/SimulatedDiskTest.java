package dev.kvstore.core.internal.wal;

import static dev.kvstore.core.internal.wal.WalTesting.payload;
import static dev.kvstore.core.internal.wal.WalTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.Durability;
import dev.kvstore.core.internal.LoopExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated disk keeps exactly the forced bytes across a crash plus a seeded prefix of the rest (maybe torn),
 * detaches the dead process's channels, and can crash inside a force; a caller-driven log on it runs on one
 * thread and recovers what was forced, cutting a torn tail.
 */
@Timeout(60)
class SimulatedDiskTest {
  @TempDir Path dir;

  @Test
  void aCrashKeepsTheForcedBytesAndAPrefixOfTheRestMaybeTorn() throws IOException {
    int kept = 0;
    int torn = 0;
    for (long seed = 1; seed <= 200; seed++) {
      Path file = dir.resolve("f" + seed);
      SimulatedDisk disk = SimulatedDisk.create();
      byte[] forced = bytes(1, 100);
      byte[] later = bytes(2, 50);
      try (FileChannel c = disk.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.wrap(forced), 0);
        c.force(false);
        c.write(ByteBuffer.wrap(later), 100);
        c.write(ByteBuffer.wrap(later), 150);
        long lost = disk.crash(new SplittableRandom(seed));
        byte[] after = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(after, 100)).as("seed %d: forced bytes", seed).isEqualTo(forced);
        assertThat(after.length).as("seed %d: a prefix of the unforced writes", seed).isBetween(100, 200);
        assertThat(lost).as("seed %d: bytes lost", seed).isEqualTo(200 - after.length);
        for (int i = 100; i < after.length; i++) {
          assertThat(after[i]).isEqualTo(later[(i - 100) % 50]);
        }
        kept += after.length == 200 ? 1 : 0;
        torn += after.length % 50 != 0 ? 1 : 0;
        c.write(ByteBuffer.wrap(bytes(9, 10)), 0); // the dead process writes on: it goes nowhere
        c.force(true);
        assertThat(Files.readAllBytes(file)).isEqualTo(after);
      }
    }
    assertThat(kept).as("seeds that kept every unforced write").isPositive();
    assertThat(torn).as("seeds that tore a write").isPositive();
  }

  @Test
  void aForceMakesEveryEarlierWriteDurableAndTruncationsCount() throws IOException {
    SimulatedDisk disk = SimulatedDisk.create();
    Path file = dir.resolve("f");
    try (FileChannel c = disk.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(bytes(1, 100)), 0);
      c.truncate(60);
      c.force(false);
      assertThat(disk.crash(new SplittableRandom(1))).isZero();
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes(1, 60));
  }

  @Test
  void zerosWrittenPastTheEndExtendTheFileWithoutBeingStored() throws IOException {
    SimulatedDisk disk = SimulatedDisk.create();
    Path file = dir.resolve("f");
    try (FileChannel c = disk.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.READ)) {
      c.write(ByteBuffer.wrap(bytes(1, 10)), 0);
      c.write(ByteBuffer.allocate(1 << 20), 10);
      assertThat(c.size()).isEqualTo(10 + (1 << 20));
      assertThat(Files.size(file)).isEqualTo(10);
      ByteBuffer read = ByteBuffer.allocate(8);
      assertThat(c.read(read, 100)).isEqualTo(8);
      assertThat(read.array()).containsOnly(0);
    }
  }

  @Test
  void aCrashArmedAtTheNextForceHappensWithTheForcedWritesStillPending() throws IOException {
    for (long seed = 1; seed <= 20; seed++) {
      SimulatedDisk disk = SimulatedDisk.create();
      Path file = dir.resolve("armed" + seed);
      AtomicLong lostAtCut = new AtomicLong(-1);
      try (FileChannel c = disk.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.wrap(bytes(1, 40)), 0);
        c.force(false);
        disk.crashAtNextForce(new SplittableRandom(seed), lostAtCut::set);
        c.write(ByteBuffer.wrap(bytes(2, 40)), 40);
        c.force(false);
        assertThat(lostAtCut.get()).as("seed %d: the cut happened inside the force", seed).isBetween(0L, 40L);
        assertThat(Files.size(file)).isEqualTo(80 - lostAtCut.get());
        assertThat(disk.disarm()).isFalse();
        assertThat(disk.crashes()).isEqualTo(1);
      }
    }
  }

  @Test
  void aCallerDrivenLogOnTheDiskRecoversWhatWasForcedAfterACrash() throws IOException {
    int tornTails = 0;
    for (long seed = 1; seed <= 40; seed++) {
      Path logDir = dir.resolve("log" + seed);
      SimulatedDisk disk = SimulatedDisk.create();
      WalOptions options = WalOptions.defaults(logDir, Durability.ALWAYS).withChannelFactory(disk)
          .withCallerDriven(true).withSegmentBytes(1024);
      ManualLoop loop = new ManualLoop();
      SegmentedWal wal = SegmentedWal.open(options);
      wal.replay(0, (s, p) -> {});
      List<Long> applied = new ArrayList<>();
      wal.start(group -> group.forEach(r -> applied.add(r.seq())));
      List<CompletableFuture<Long>> durable = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int n = i;
        loop.execute(() -> durable.add(wal.append(payload(n), loop)));
        if (i % 7 == 6) {
          loop.runPass();
        }
      }
      loop.runPass();
      assertThat(durable).allSatisfy(f -> assertThat(f).isCompleted());
      assertThat(applied).hasSize(60);
      disk.crashAtNextForce(new SplittableRandom(seed), lost -> {});
      for (int i = 60; i < 70; i++) {
        int n = i;
        loop.execute(() -> wal.append(payload(n), loop));
      }
      loop.runPass(); // the group of ten is written, then the power goes inside its force
      wal.close();
      List<WalRecord> recovered = readAll(options.withCallerDriven(false));
      assertThat(recovered.size()).as("seed %d: every forced record, and a prefix of the group being forced", seed)
          .isBetween(60, 70);
      for (int i = 0; i < recovered.size(); i++) {
        assertThat(recovered.get(i).payload()).isEqualTo(payload(i));
      }
      tornTails += recovered.size() < 70 ? 1 : 0;
    }
    assertThat(tornTails).as("seeds whose crash lost part of the last group").isPositive();
  }

  @Test
  void aCallerDrivenLogRefusesAppendsFromOutsideItsLoopAndPeriodicDurability() {
    assertThatThrownBy(() -> WalOptions.defaults(dir, Durability.every(java.time.Duration.ofMillis(5)))
        .withCallerDriven(true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callerDriven");
    SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(dir, Durability.ALWAYS)
        .withChannelFactory(SimulatedDisk.create()).withCallerDriven(true));
    try (wal) {
      wal.replay(0, (s, p) -> {});
      wal.start(group -> {});
      assertThat(wal.append(payload(1))).failsWithin(java.time.Duration.ZERO)
          .withThrowableThat().withCauseInstanceOf(IllegalStateException.class)
          .withMessageContaining("caller-driven");
      assertThat(wal.lastSequence()).isZero();
    }
  }

  @Test
  void closingACallerDrivenLogWritesWhatIsQueued() {
    WalOptions options = WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(SimulatedDisk.create())
        .withCallerDriven(true);
    ManualLoop loop = new ManualLoop();
    SegmentedWal wal = SegmentedWal.open(options);
    wal.replay(0, (s, p) -> {});
    wal.start(group -> {});
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    loop.execute(() -> futures.add(wal.append(payload(1), loop)));
    loop.runTasksOnly();
    wal.close();
    loop.runTasksOnly();
    assertThat(futures).singleElement().satisfies(f -> assertThat(f).isCompletedWithValue(1L));
    assertThat(readAll(options.withCallerDriven(false))).hasSize(1);
  }

  private static byte[] bytes(int fill, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (fill * 31 + i % 50 + 1);
    }
    return b;
  }

  /** An event loop the test runs by hand on its own thread: tasks, then the end-of-pass tasks they asked for. */
  private static final class ManualLoop implements LoopExecutor {
    private final Thread owner = Thread.currentThread();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ArrayDeque<Runnable> endOfPass = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public boolean inLoop() {
      return Thread.currentThread() == owner;
    }

    @Override
    public void executeAtEndOfPass(Runnable task) {
      endOfPass.add(task);
    }

    void runTasksOnly() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }

    void runPass() {
      while (!tasks.isEmpty() || !endOfPass.isEmpty()) {
        runTasksOnly();
        List<Runnable> end = new ArrayList<>(endOfPass);
        endOfPass.clear();
        end.forEach(Runnable::run);
      }
    }
  }
}
