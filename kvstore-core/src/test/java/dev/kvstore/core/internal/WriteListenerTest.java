package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write listener: every change of a key reaches it in the key's write order, each call's old set being the
 * previous call's new set, the last new set being what the store holds; concurrent writers, deletes, synchronous and
 * asynchronous puts, on RocksDB and in memory. A listener that throws does not fail the write.
 */
@Timeout(60)
class WriteListenerTest {
  @TempDir Path dir;

  private record Call(byte[] before, byte[] after) {}

  @Test
  void eachKeysChangesArriveInWriteOrderAndChainUpToWhatTheStoreHolds() throws Exception {
    for (EngineType engine : EngineType.values()) {
      try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir.resolve(engine.name())).nodeId("n1")
          .engine(engine).open()) {
        Map<String, List<Call>> calls = new HashMap<>();
        store.addWriteListener((k, before, after) -> {
          synchronized (calls) { // the order of one key's calls is the key lock's: appended while it is held
            calls.computeIfAbsent(new String(k, StandardCharsets.UTF_8), x -> new ArrayList<>())
                .add(new Call(before, after));
          }
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
          List<CompletableFuture<?>> writers = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            SplittableRandom random = new SplittableRandom(t);
            writers.add(CompletableFuture.runAsync(() -> {
              for (int i = 0; i < 500; i++) {
                String k = "k" + random.nextInt(20);
                switch (random.nextInt(3)) {
                  case 0 -> store.delete(k, store.get(k).context());
                  case 1 -> store.putAsync(k.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i}).join();
                  default -> store.put(k, "v" + i);
                }
              }
            }, pool));
          }
          CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();
        } finally {
          pool.shutdownNow();
        }
        assertThat(calls).as(engine.name()).hasSize(20);
        calls.forEach((k, list) -> {
          assertThat(list.get(0).before()).as("%s %s: the first change finds no record", engine, k).isNull();
          for (int i = 1; i < list.size(); i++) {
            assertThat(list.get(i).before()).as("%s %s, change %d", engine, k, i).isEqualTo(list.get(i - 1).after());
          }
          byte[] held = store.readEncodedCached(k.getBytes(StandardCharsets.UTF_8));
          if (held == Replica.NOT_IN_MEMORY) {
            held = SiblingCodec.encode(store.read(k.getBytes(StandardCharsets.UTF_8)));
          }
          assertThat(Arrays.equals(list.get(list.size() - 1).after(), held)).as("%s %s: the last set is held", engine, k)
              .isTrue();
        });
      }
    }
  }

  @Test
  void aFailingWriteListenerDoesNotFailTheWrite() {
    try (LocalStore store = (LocalStore) KvStore.local().inMemory().open()) {
      List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      store.addWriteListener((k, before, after) -> {
        throw new IllegalStateException("listener bug");
      });
      store.addWriteListener((k, before, after) -> seen.add(new String(k, StandardCharsets.UTF_8)));
      store.put("k", "v");
      assertThat(store.get("k").strings()).containsExactly("v");
      assertThat(seen).as("later listeners still run").containsExactly("k");
    }
  }
}
