package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.engine.Engine;
import dev.kvstore.core.internal.engine.MemoryEngine;
import dev.kvstore.core.internal.engine.Write;
import dev.kvstore.core.internal.wal.SegmentedWal;
import dev.kvstore.core.internal.wal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose log fails must never mint a dot twice: a coordinator sends a new version to other replicas
 * before its own log has made it durable, so once a write is lost here the engine lacks a counter that other
 * replicas may hold. From the first failure on, the store refuses every write (until reopened, as a new
 * incarnation), and a write the log refuses at once is never handed out.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LogFailureTest {
  @TempDir Path dir;

  @Test
  void afterTheLogFailsNoWriteIsTakenSoNoDotIsReissued() throws Exception {
    FailingEngine engine = new FailingEngine(MemoryEngine.inMemory());
    SegmentedWal wal = SegmentedWal.open(WalOptions.defaults(Files.createDirectories(dir.resolve("wal")), Durability.ALWAYS));
    CommitLog log = WalCommitLog.recover(engine, wal, Long.MAX_VALUE);
    try (LocalStore store = LocalStore.open(KvStore.local().inMemory().nodeId("a").engine(EngineType.MEMORY).config(),
        new StoreParts(null, engine, log, "store", Incarnation.parse("1-inc")))) {
      byte[] key = bytes("k");
      store.coordinateNow(key, bytes("v1"), null);
      assertThat(store.writeRefusal()).as("a healthy store takes writes").isNull();

      engine.failApplies = true;
      Replica.Logged lost = store.coordinateLogged(key, bytes("v2"), null);
      long lostCounter = lost.set().siblings().get(0).dot().counter();
      assertThatThrownBy(() -> lost.durable().join()).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(StorageException.class);
      engine.failApplies = false;

      assertThat(store.read(key).values()).extracting(v -> str(v.value()))
          .as("the engine still holds v1: v2's counter %d is not on this node", lostCounter).containsExactly("v1");
      assertThatThrownBy(() -> store.coordinateLogged(key, bytes("v3"), null))
          .as("minting now would reuse counter %d", lostCounter)
          .isInstanceOf(StorageException.class).hasMessageContaining("reopen");
      assertThatThrownBy(() -> store.coordinateLogged(bytes("other"), bytes("x"), null)).isInstanceOf(StorageException.class);
      assertThatThrownBy(() -> store.mergeNow(key, DvvSet.empty())).isInstanceOf(StorageException.class);
      assertThat(log.intact()).as("a failed log is not intact, so the directory is not marked clean").isFalse();
      assertThat(store.writeRefusal()).as("the store says why it takes no writes")
          .startsWith("the write-ahead log failed").contains("disk full (test)");
      assertThatThrownBy(() -> store.coordinateLogged(key, bytes("v4"), null))
          .isInstanceOf(dev.kvstore.core.NotWritableException.class).hasMessageContaining("reads still work");
      assertThat(store.get(key).strings()).as("reads still work")
          .containsExactly("v1");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** An engine whose applies fail while {@link #failApplies} is set. */
  private static final class FailingEngine extends dev.kvstore.core.internal.engine.ForwardingEngine {
    volatile boolean failApplies;

    FailingEngine(Engine delegate) {
      super(delegate);
    }

    @Override
    public void apply(long seq, List<Write> writes) {
      if (failApplies) {
        throw new IllegalStateException("disk full (test)");
      }
      super.apply(seq, writes);
    }
  }
}
