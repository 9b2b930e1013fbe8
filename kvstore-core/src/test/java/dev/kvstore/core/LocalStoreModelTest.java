package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.clock.VectorClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The local store against a plain model: a map from key to its sibling set, where a sibling is a token (the
 * value written, or a tombstone id) and a context is the set of tokens its reader saw. Random put (blind, with a
 * fresh context, with a stale one, with the empty one), delete, get, bad requests and clean restarts run on the
 * real store (a data directory, each engine); after every step the key's live values must equal the model's.
 *
 * <p>The model's rules are the store's contract (KvStore's Javadoc): a put or delete with a context drops
 * exactly the siblings that context saw and adds one; a blind put drops every sibling; a returned context has
 * seen every sibling the key holds after the write; a refused request changes nothing; a restart changes
 * nothing.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LocalStoreModelTest {
  private static final int SEEDS = 12;
  private static final int STEPS = 150;
  private static final String[] KEYS = {"a", "b", "c"};
  private static final int MAX_VALUE_BYTES = 16;

  @TempDir Path dir;

  /** One operation's view of a key: the tokens it saw (a context), mapped to the store's context. */
  private record Seen(Set<String> tokens, Context context) {}

  /** The model and the contexts handed out so far, per key. */
  private static final class Model {
    final Map<String, Set<String>> siblings = new HashMap<>();
    final Map<String, List<Seen>> contexts = new HashMap<>();

    Set<String> of(String key) {
      return siblings.computeIfAbsent(key, k -> new HashSet<>());
    }

    void write(String key, Set<String> seen, String token) {
      Set<String> set = of(key);
      if (seen == null) {
        set.clear();
      } else {
        set.removeAll(seen);
      }
      set.add(token);
    }

    Set<String> liveValues(String key) {
      Set<String> live = new HashSet<>(of(key));
      live.removeIf(t -> t.startsWith("~"));
      return live;
    }

    void remember(String key, Context context) {
      contexts.computeIfAbsent(key, k -> new ArrayList<>()).add(new Seen(Set.copyOf(of(key)), context));
    }
  }

  @ParameterizedTest
  @EnumSource(value = EngineType.class)
  void randomOperationsAgreeWithAMapOfSiblingSets(EngineType engine) {
    Seeds.forEach(SEEDS, seed -> run(engine, seed));
  }

  private KvStore open(EngineType engine, Path data) {
    return KvStore.local().nodeId("m").dataDirectory(data).engine(engine).durability(Durability.ALWAYS)
        .maxValueBytes(MAX_VALUE_BYTES).open();
  }

  private void run(EngineType engine, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Path data = Files.createDirectories(dir.resolve(engine + "-" + seed));
    Model model = new Model();
    List<String> trace = new ArrayList<>();
    KvStore store = open(engine, data);
    try {
      for (int step = 0; step < STEPS; step++) {
        String key = KEYS[random.nextInt(KEYS.length)];
        String value = "v" + step;
        int op = random.nextInt(100);
        if (op < 20) {
          trace.add("get " + key);
          model.remember(key, store.get(key).context());
        } else if (op < 35) {
          trace.add("put " + key + " " + value + " (blind)");
          Context after = store.put(key, value);
          model.write(key, null, value);
          model.remember(key, after);
        } else if (op < 65) {
          Seen seen = pick(model, key, random);
          trace.add("put " + key + " " + value + " with a context that saw " + seen.tokens());
          Context after = store.put(key, value, seen.context());
          model.write(key, seen.tokens(), value);
          model.remember(key, after);
        } else if (op < 80) {
          Seen seen = pick(model, key, random);
          String tombstone = "~" + step;
          trace.add("delete " + key + " with a context that saw " + seen.tokens());
          Context after = store.delete(key, seen.context());
          model.write(key, seen.tokens(), tombstone);
          model.remember(key, after);
        } else if (op < 92) {
          trace.add("bad request on " + key);
          refuseBadRequest(store, key, random);
        } else {
          trace.add("restart");
          store.close();
          store = open(engine, data);
        }
        assertThat(new HashSet<>(store.get(key).strings()))
            .as("live values of %s after %s", key, trace)
            .isEqualTo(model.liveValues(key));
      }
      for (String key : KEYS) {
        assertThat(new HashSet<>(store.get(key).strings())).as("live values of %s at the end", key)
            .isEqualTo(model.liveValues(key));
      }
    } finally {
      store.close();
    }
  }

  /** A context of the key handed out earlier (possibly stale), or the empty one, which saw nothing. */
  private static Seen pick(Model model, String key, SplittableRandom random) {
    List<Seen> known = model.contexts.getOrDefault(key, List.of());
    if (known.isEmpty() || random.nextInt(8) == 0) {
      return new Seen(Set.of(), Context.empty());
    }
    // Mostly recent contexts (a client that read, then wrote), sometimes old ones (concurrent writers).
    int index = random.nextInt(3) > 0 ? known.size() - 1 : random.nextInt(known.size());
    return known.get(index);
  }

  private static void refuseBadRequest(KvStore store, String key, SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0 -> assertThatThrownBy(() -> store.put(key, "x".repeat(MAX_VALUE_BYTES + 1)))
          .isInstanceOf(InvalidRequestException.class);
      case 1 -> assertThatThrownBy(() -> store.put(key, "x", Context.of("another-store", VectorClock.empty())))
          .isInstanceOf(InvalidRequestException.class);
      case 2 -> assertThatThrownBy(() -> store.delete(key, null)).isInstanceOf(InvalidRequestException.class);
      default -> assertThatThrownBy(() -> store.put(new byte[0], new byte[1]))
          .isInstanceOf(InvalidRequestException.class);
    }
  }
}
