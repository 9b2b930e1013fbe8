package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The engine contract over RocksDB with the cache in front, plus what the cache itself promises. */
class CachingEngineTest extends EngineContractTest {
  private static final long SMALL = 4096;

  @Override
  protected Engine open(Path directory) {
    return new CachingEngine(RocksDbEngine.open(directory), SMALL);
  }

  @Override
  protected int propertySeeds() {
    return 100;
  }

  @Test
  void aWrittenKeyIsAnsweredFromMemoryAndAReadNeverFillsTheCache() {
    CountingEngine below = new CountingEngine(MemoryEngine.inMemory());
    try (CachingEngine cache = new CachingEngine(below, SMALL)) {
      cache.apply(1, List.of(new Write(bytes("written"), bytes("v1"))));
      below.apply(2, List.of(new Write(bytes("only-below"), bytes("b"))));
      int before = below.reads;
      assertThat(cache.get(bytes("written"))).isEqualTo(bytes("v1"));
      assertThat(below.reads).as("a written key is served from the cache").isEqualTo(before);
      assertThat(cache.get(bytes("only-below"))).isEqualTo(bytes("b"));
      assertThat(cache.get(bytes("only-below"))).isEqualTo(bytes("b"));
      assertThat(below.reads).as("a key never written through the cache is read below each time").isEqualTo(before + 2);
    }
  }

  @Test
  void evictionUnderTheBoundNeverLeavesAStaleValue() {
    SplittableRandom random = new SplittableRandom(7);
    try (CachingEngine cache = new CachingEngine(MemoryEngine.inMemory(), SMALL)) {
      java.util.Map<String, String> model = new java.util.HashMap<>();
      for (long seq = 1; seq <= 2000; seq++) {
        List<Write> group = new ArrayList<>();
        for (int i = random.nextInt(1, 4); i > 0; i--) {
          String key = "k" + random.nextInt(50);
          String value = random.nextInt(10) == 0 ? null : "v" + seq + "-" + "x".repeat(random.nextInt(200));
          group.add(new Write(bytes(key), value == null ? null : bytes(value)));
          model.put(key, value);
        }
        cache.apply(seq, group);
        String probe = "k" + random.nextInt(50);
        byte[] got = cache.get(bytes(probe));
        assertThat(got == null ? null : new String(got, StandardCharsets.UTF_8)).as("seq %d key %s", seq, probe)
            .isEqualTo(model.get(probe));
        assertThat(cache.getCached(bytes(probe))).isEqualTo(got);
      }
    }
  }

  @Test
  void aReaderRacingAppliesAndEvictionsOnlyEverSeesValuesMoveForward() throws Exception {
    try (CachingEngine cache = new CachingEngine(MemoryEngine.inMemory(), 512)) {
      assertThat(ForwardOnlyReads.race(cache)).isEqualTo("ok");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** An engine that counts the reads that reach it. */
  private static final class CountingEngine extends ForwardingEngine {
    int reads;

    CountingEngine(Engine delegate) {
      super(delegate);
    }

    @Override
    public byte[] get(byte[] key) {
      reads++;
      return super.get(key);
    }
  }
}
