package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.core.StoreClosedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.api.io.TempDir;

/** What every durable {@link Engine} must do; each engine's test extends this. */
@Timeout(120)
abstract class EngineContractTest {
  @TempDir Path dir;
  protected Engine engine;

  /** Opens (or reopens) the engine under test in {@code directory}. */
  protected abstract Engine open(Path directory);

  /** How many seeds the model property runs (fewer for engines that are slow to open). */
  protected abstract int propertySeeds();

  @BeforeEach
  void openEngine() {
    engine = open(dir.resolve("engine"));
  }

  @AfterEach
  void closeEngine() {
    engine.close();
  }

  protected Engine reopen() {
    engine.close();
    engine = open(dir.resolve("engine"));
    return engine;
  }

  protected static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static Write put(String key, String value) {
    return Write.put(utf8(key), utf8(value));
  }

  protected static Write delete(String key) {
    return Write.delete(utf8(key));
  }

  private static List<byte[]> keys(Engine e, byte[] from, byte[] to) {
    List<byte[]> keys = new ArrayList<>();
    e.scan(from, to, (k, v) -> keys.add(k));
    return keys;
  }

  @Test
  void newEngineIsEmptyAtSequenceZero() {
    assertThat(engine.durableSequence()).isZero();
    assertThat(engine.appliedSequence()).isZero();
    assertThat(engine.get(utf8("a"))).isNull();
    assertThat(keys(engine, null, null)).isEmpty();
    assertThat(engine.approximateKeys()).isZero();
  }

  @Test
  void appliedValuesAreReadBackAndLaterWritesOverwrite() {
    engine.apply(1, List.of(put("a", "1"), put("b", "2")));
    engine.apply(2, List.of(put("a", "3")));

    assertThat(engine.get(utf8("a"))).isEqualTo(utf8("3"));
    assertThat(engine.get(utf8("b"))).isEqualTo(utf8("2"));
    assertThat(engine.appliedSequence()).isEqualTo(2);
  }

  @Test
  void nullValueDeletesTheKey() {
    engine.apply(1, List.of(put("a", "1"), put("b", "2")));
    engine.apply(2, List.of(delete("a"), delete("never-there")));

    assertThat(engine.get(utf8("a"))).isNull();
    assertThat(engine.get(utf8("b"))).isEqualTo(utf8("2"));
  }

  @Test
  void writesOfOneGroupApplyInOrder() {
    engine.apply(5, List.of(put("k", "first"), delete("k"), put("k", "last")));

    assertThat(engine.get(utf8("k"))).isEqualTo(utf8("last"));
    assertThat(engine.appliedSequence()).isEqualTo(5);
  }

  @Test
  void emptyGroupStillAdvancesTheSequence() {
    engine.apply(3, List.of());
    assertThat(engine.appliedSequence()).isEqualTo(3);
  }

  @Test
  void sequenceNotAboveAppliedIsRejectedAndChangesNothing() {
    engine.apply(7, List.of(put("a", "1")));

    assertThatThrownBy(() -> engine.apply(7, List.of(put("a", "2"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appliedSequence() = 7");
    assertThatThrownBy(() -> engine.apply(3, List.of(put("b", "2"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.get(utf8("a"))).isEqualTo(utf8("1"));
    assertThat(engine.get(utf8("b"))).isNull();
    assertThat(engine.appliedSequence()).isEqualTo(7);
  }

  @Test
  void badArgumentsAreRejected() {
    List<Write> withNull = new ArrayList<>();
    withNull.add(put("a", "1"));
    withNull.add(null);

    assertThatThrownBy(() -> engine.apply(1, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> engine.apply(1, withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writes[1]");
    assertThatThrownBy(() -> engine.get(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> engine.scan(null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Write.put(null, utf8("v")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.get(utf8("a"))).isNull();
    assertThat(engine.appliedSequence()).isZero();
  }

  @Test
  void scanVisitsKeysInUnsignedByteOrder() {
    engine.apply(
        1,
        List.of(
            Write.put(bytes(0xFF), utf8("ff")),
            Write.put(bytes(0x01), utf8("01")),
            Write.put(bytes(0x80), utf8("80")),
            Write.put(bytes(0x7F), utf8("7f")),
            Write.put(bytes(0x01, 0x00), utf8("0100")),
            Write.put(bytes(0x00), utf8("00"))));

    List<String> values = new ArrayList<>();
    engine.scan(null, null, (k, v) -> values.add(new String(v, StandardCharsets.UTF_8)));

    assertThat(values).containsExactly("00", "01", "0100", "7f", "80", "ff");
  }

  @Test
  void scanIncludesItsLowerBoundAndExcludesItsUpperBound() {
    engine.apply(1, List.of(put("a", "1"), put("b", "2"), put("c", "3"), put("d", "4")));

    assertThat(keys(engine, utf8("b"), utf8("d"))).containsExactly(utf8("b"), utf8("c"));
    assertThat(keys(engine, utf8("bb"), null)).containsExactly(utf8("c"), utf8("d"));
    assertThat(keys(engine, null, utf8("b"))).containsExactly(utf8("a"));
    assertThat(keys(engine, utf8("c"), utf8("c"))).isEmpty();
    assertThat(keys(engine, utf8("d"), utf8("a"))).isEmpty();
    assertThat(keys(engine, bytes(0x80), null)).isEmpty();
  }

  @Test
  void scanStopsWhenTheVisitorReturnsFalse() {
    engine.apply(1, List.of(put("a", "1"), put("b", "2"), put("c", "3")));
    List<byte[]> seen = new ArrayList<>();

    engine.scan(
        null,
        null,
        (k, v) -> {
          seen.add(k);
          return seen.size() < 2;
        });

    assertThat(seen).containsExactly(utf8("a"), utf8("b"));
  }

  @Test
  void checkpointMakesAppliedDataDurableAcrossReopen() {
    engine.apply(1, List.of(put("a", "1")));
    engine.apply(2, List.of(put("b", "2"), delete("a")));

    assertThat(engine.checkpoint()).isEqualTo(2);
    assertThat(engine.durableSequence()).isEqualTo(2);
    reopen();

    assertThat(engine.durableSequence()).isEqualTo(2);
    assertThat(engine.appliedSequence()).isEqualTo(2);
    assertThat(engine.get(utf8("a"))).isNull();
    assertThat(engine.get(utf8("b"))).isEqualTo(utf8("2"));
    engine.apply(3, List.of(put("c", "3")));
    assertThat(engine.get(utf8("c"))).isEqualTo(utf8("3"));
  }

  @Test
  void closeCheckpointsWhatWasAppliedSinceTheLastCheckpoint() {
    engine.apply(1, List.of(put("a", "1")));
    engine.checkpoint();
    engine.apply(2, List.of(put("b", "2")));
    assertThat(engine.durableSequence()).isEqualTo(1);

    reopen();

    assertThat(engine.durableSequence()).isEqualTo(2);
    assertThat(engine.get(utf8("b"))).isEqualTo(utf8("2"));
  }

  @Test
  void checkpointWithNothingNewKeepsTheDurableSequence() {
    assertThat(engine.checkpoint()).isZero();
    engine.apply(4, List.of(put("a", "1")));
    assertThat(engine.checkpoint()).isEqualTo(4);
    assertThat(engine.checkpoint()).isEqualTo(4);
  }

  @Test
  void approximateKeysCountsDistinctKeys() {
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      writes.add(put("key-" + i, "v"));
    }
    engine.apply(1, writes);
    engine.apply(2, List.of(put("key-0", "again")));

    assertThat(engine.approximateKeys()).isBetween(90L, 110L);
  }

  @Test
  void useAfterCloseThrowsStoreClosedAndCloseIsIdempotent() {
    engine.apply(1, List.of(put("a", "1")));
    engine.close();
    engine.close();

    List<ThrowingConsumer<Engine>> calls =
        List.of(
            e -> e.get(utf8("a")),
            e -> e.apply(2, List.of(put("b", "2"))),
            e -> e.scan(null, null, (k, v) -> true),
            Engine::checkpoint,
            Engine::approximateKeys,
            Engine::durableSequence,
            Engine::appliedSequence);
    for (ThrowingConsumer<Engine> call : calls) {
      assertThatThrownBy(() -> call.accept(engine)).isInstanceOf(StoreClosedException.class);
    }
  }

  @Test
  void randomOperationsMatchASortedMapModel() {
    Seeds.forEach(
        propertySeeds(),
        seed -> {
          Random random = new Random(seed);
          TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
          long seq = engine.appliedSequence() + 1;
          engine.apply(
              seq, ALL_KEYS.stream().map(Write::delete).toList()); // each seed starts empty
          for (int step = 0; step < 40; step++) {
            int action = random.nextInt(40);
            if (action < 24) {
              seq += 1 + random.nextInt(3);
              engine.apply(seq, randomGroup(random, model));
            } else if (action < 37) {
              checkScan(random, model);
            } else if (action < 39) {
              assertThat(engine.checkpoint()).isEqualTo(seq);
            } else if (random.nextInt(3) == 0) {
              reopen();
              assertThat(engine.durableSequence()).isEqualTo(seq);
            }
            byte[] probe = randomKey(random);
            assertThat(engine.get(probe)).isEqualTo(model.get(probe));
          }
          checkScan(random, model);
          assertThat(engine.appliedSequence()).isEqualTo(seq);
        });
  }

  /**
   * Every key {@link #randomKey} can make: one or two bytes from {0, 1, 2, 3, 0xFC, 0xFD, 0xFE,
   * 0xFF}.
   */
  private static final List<byte[]> ALL_KEYS = allKeys();

  private static List<byte[]> allKeys() {
    int[] alphabet = {0, 1, 2, 3, 0xFC, 0xFD, 0xFE, 0xFF};
    List<byte[]> keys = new ArrayList<>();
    for (int a : alphabet) {
      keys.add(bytes(a));
      for (int b : alphabet) {
        keys.add(bytes(a, b));
      }
    }
    return keys;
  }

  private static byte[] randomKey(Random random) {
    byte[] key = new byte[1 + random.nextInt(2)];
    for (int i = 0; i < key.length; i++) {
      key[i] =
          (byte)
              (random.nextBoolean()
                  ? random.nextInt(4)
                  : 0xFC + random.nextInt(4)); // low and high bytes
    }
    return key;
  }

  private static List<Write> randomGroup(Random random, TreeMap<byte[], byte[]> model) {
    List<Write> group = new ArrayList<>();
    for (int n = random.nextInt(5); n > 0; n--) {
      byte[] key = randomKey(random);
      if (random.nextInt(3) == 0) {
        group.add(Write.delete(key));
        model.remove(key);
      } else {
        byte[] value = new byte[random.nextInt(20)];
        random.nextBytes(value);
        group.add(Write.put(key, value));
        model.put(key, value);
      }
    }
    return group;
  }

  private void checkScan(Random random, TreeMap<byte[], byte[]> model) {
    byte[] from = random.nextBoolean() ? null : randomKey(random);
    byte[] to = random.nextBoolean() ? null : randomKey(random);
    Map<byte[], byte[]> expected = model;
    if (from != null && to != null) {
      expected =
          Arrays.compareUnsigned(from, to) < 0 ? model.subMap(from, true, to, false) : Map.of();
    } else if (from != null) {
      expected = model.tailMap(from, true);
    } else if (to != null) {
      expected = model.headMap(to, false);
    }
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    engine.scan(from, to, (k, v) -> keys.add(k) && values.add(v));
    assertThat(keys).containsExactlyElementsOf(expected.keySet());
    assertThat(values).containsExactlyElementsOf(expected.values());
  }
}
