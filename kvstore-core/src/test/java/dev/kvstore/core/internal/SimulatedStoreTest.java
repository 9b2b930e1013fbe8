package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Durability;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.core.internal.wal.SimulatedDisk;
import dev.kvstore.core.internal.wal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store opened for simulation keeps its data in its log only: after a crash of its simulated disk, a reopened
 * store holds exactly the forced writes, under a new incarnation.
 */
@Timeout(60)
class SimulatedStoreTest {
  @TempDir Path dir;

  @Test
  void aReopenedStoreHoldsTheForcedWritesUnderANewIncarnation() throws Exception {
    SimulatedDisk disk = SimulatedDisk.create();
    WalOptions log = WalOptions.defaults(dir, Durability.ALWAYS).withChannelFactory(disk).withCallerDriven(true);
    Loop loop = new Loop();
    LocalStore first = LocalStore.openSimulated(config(1), log);
    String firstActor = first.actorId();
    CompletableFuture<DvvSet<StoredValue>> forced =
        first.coordinateLogged(bytes("a"), bytes("forced"), null, loop).durable();
    loop.runAll();
    assertThat(forced).isCompleted();
    first.coordinateLogged(bytes("b"), bytes("never forced"), null, loop); // its end-of-pass write never runs
    disk.crash(new SplittableRandom(1));
    first.close(); // the dead process's late writes go nowhere

    LocalStore second = LocalStore.openSimulated(config(2), log);
    try {
      assertThat(second.read(bytes("a")).values()).extracting(v -> new String(v.value(), StandardCharsets.UTF_8))
          .containsExactly("forced");
      assertThat(second.read(bytes("b")).isEmpty()).isTrue();
      assertThat(second.actorId()).isNotEqualTo(firstActor);
    } finally {
      second.close();
    }
  }

  @Test
  void aSimulatedStoreRefusesADataDirectory() {
    LocalStoreConfig withDir = KvStore.local().dataDirectory(dir.resolve("data")).nodeId("n1").config();
    assertThatThrownBy(() -> LocalStore.openSimulated(withDir, WalOptions.defaults(dir, Durability.ALWAYS)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inMemory()");
  }

  private static LocalStoreConfig config(long seed) {
    return KvStore.local().inMemory().nodeId("n1").random(new SplittableRandom(seed)).config();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A loop run by hand on the test thread. */
  private static final class Loop implements LoopExecutor {
    private final Thread owner = Thread.currentThread();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

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
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }
}
