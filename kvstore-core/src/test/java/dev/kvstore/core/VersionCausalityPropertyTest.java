package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.Causality;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.clock.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Version#compare} against an independent model of happened-before. Random puts with random contexts
 * (current, stale, empty, none) go through one or several coordinators (in-memory stores of one scope) that
 * now and then sync a key's set from one to another, as replication does. The model knows nothing of clocks:
 * each write is a number, its causal past the set of write numbers the context it was written with had seen,
 * and a replica's state the set of writes it has seen; its live writes are those no other seen write has in
 * its past. For every pair of versions any read ever returned, {@code compare} must agree with the model, and
 * the live siblings of every read must be exactly the model's live writes, pairwise concurrent.
 *
 * <p>Versions of different keys are not compared: their histories are separate.
 *
 * <p>Seeded: a failure names its seed; {@code -Dkvstore.seed=<n>} replays it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class VersionCausalityPropertyTest {
  private static final int SEEDS = 150;
  private static final int STEPS = 80;
  private static final List<String> KEYS = List.of("k1", "k2");

  /** A context a client kept, with the writes the model says it had seen. */
  private record Kept(String key, Context context, Set<Integer> seen) {}

  @ParameterizedTest(name = "{0} coordinators")
  @ValueSource(ints = {1, 3})
  void compareAgreesWithTheModelsHappenedBeforeAndLiveSiblingsAreConcurrent(int coordinators) {
    Seeds.forEach(SEEDS, seed -> run(seed, coordinators));
  }

  private static void run(long seed, int coordinators) {
    SplittableRandom random = new SplittableRandom(seed);
    List<LocalStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < coordinators; i++) {
        stores.add((LocalStore) KvStore.local().inMemory().nodeId("c" + i).contextScope("prop").open());
      }
      new Run(random, stores).steps();
    } finally {
      stores.forEach(LocalStore::close);
    }
  }

  /** One seeded run: the stores, the model, and every version returned. */
  private static final class Run {
    private final SplittableRandom random;
    private final List<LocalStore> stores;
    private final Map<Integer, Set<Integer>> pastOf = new HashMap<>(); // write -> the writes it had seen
    private final Map<String, Set<Integer>> seenAt = new HashMap<>(); // store#key -> writes that replica has seen
    private final Map<Integer, Version> returned = new HashMap<>(); // write -> its version, as a read returned it
    private final Map<Integer, String> keyOf = new HashMap<>();
    private final List<Kept> kept = new ArrayList<>();
    private int writes;

    Run(SplittableRandom random, List<LocalStore> stores) {
      this.random = random;
      this.stores = stores;
    }

    void steps() {
      for (int step = 0; step < STEPS; step++) {
        int s = random.nextInt(stores.size());
        String key = KEYS.get(random.nextInt(KEYS.size()));
        int op = random.nextInt(10);
        if (op < 6) {
          put(s, key);
        } else if (op < 8 && stores.size() > 1) {
          sync(random.nextInt(stores.size()), s, key);
        } else {
          read(s, key);
        }
      }
      for (int s = 0; s < stores.size(); s++) {
        for (String key : KEYS) {
          read(s, key);
        }
      }
      checkEveryPair();
    }

    private void put(int s, String key) {
      int w = ++writes;
      byte[] value = ("w" + w).getBytes(StandardCharsets.UTF_8);
      Set<Integer> seen;
      int choice = random.nextInt(4);
      List<Kept> sameKey = kept.stream().filter(k -> k.key().equals(key)).toList();
      if (choice == 0) { // the context of a read made just now
        Versions now = read(s, key);
        seen = Set.copyOf(seenAt(s, key));
        stores.get(s).put(bytes(key), value, now.context());
      } else if (choice == 1 && !sameKey.isEmpty()) { // a stale context, read earlier, maybe elsewhere
        Kept old = sameKey.get(random.nextInt(sameKey.size()));
        seen = old.seen();
        stores.get(s).put(bytes(key), value, old.context());
      } else if (choice == 2) { // a blind write that has seen nothing
        seen = Set.of();
        stores.get(s).put(bytes(key), value, Context.empty());
      } else { // no context: supersedes everything this coordinator holds
        seen = Set.copyOf(seenAt(s, key));
        stores.get(s).put(bytes(key), value);
      }
      pastOf.put(w, seen);
      keyOf.put(w, key);
      Set<Integer> replica = seenAt(s, key);
      replica.addAll(seen);
      replica.add(w);
    }

    private void sync(int from, int to, String key) {
      stores.get(to).mergeNow(bytes(key), stores.get(from).read(bytes(key)));
      seenAt(to, key).addAll(seenAt(from, key));
    }

    private Versions read(int s, String key) {
      Versions v = stores.get(s).get(key);
      Set<Integer> live = new HashSet<>();
      for (Version version : v.versions()) {
        int w = Integer.parseInt(version.valueAsString().substring(1));
        live.add(w);
        Version before = returned.putIfAbsent(w, version);
        assertThat(before == null || before.equals(version)).as("write %d always reads the same", w).isTrue();
      }
      assertThat(live).as("live siblings of %s at store %d", key, s).isEqualTo(modelLive(s, key));
      for (Version a : v.versions()) {
        for (Version b : v.versions()) {
          if (a != b) {
            assertThat(a.compare(b)).as("live siblings %s and %s", a, b).isEqualTo(Causality.CONCURRENT);
          }
        }
      }
      kept.add(new Kept(key, v.context(), Set.copyOf(seenAt(s, key))));
      return v;
    }

    private Set<Integer> modelLive(int s, String key) {
      Set<Integer> seen = seenAt(s, key);
      Set<Integer> live = new HashSet<>(seen);
      for (int w : seen) {
        live.removeAll(pastOf.get(w));
      }
      return live;
    }

    private void checkEveryPair() {
      for (Map.Entry<Integer, Version> x : returned.entrySet()) {
        for (Map.Entry<Integer, Version> y : returned.entrySet()) {
          if (!keyOf.get(x.getKey()).equals(keyOf.get(y.getKey()))) {
            continue; // versions of different keys share no history
          }
          assertThat(x.getValue().compare(y.getValue()))
              .as("compare(w%d %s, w%d %s)", x.getKey(), x.getValue(), y.getKey(), y.getValue())
              .isEqualTo(modelOrder(x.getKey(), y.getKey()));
        }
      }
    }

    private Causality modelOrder(int x, int y) {
      if (x == y) {
        return Causality.EQUAL;
      }
      if (pastOf.get(y).contains(x)) {
        return Causality.BEFORE;
      }
      return pastOf.get(x).contains(y) ? Causality.AFTER : Causality.CONCURRENT;
    }

    private Set<Integer> seenAt(int s, String key) {
      return seenAt.computeIfAbsent(s + "#" + key, k -> new HashSet<>());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
