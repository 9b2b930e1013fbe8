package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-peer hash trees: O(1) updates, comparison, stale reports, and a seeded check against a recompute. */
@Timeout(60)
class PeerTreesTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
  private static final Ring RING = Ring.of(NODES);
  private static final int N = 3;

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  private static DvvSet<StoredValue> write(DvvSet<StoredValue> set, String value, String node, long time) {
    return set.update(set.context(), StoredValue.of(key(value), new HlcTimestamp(time, 0)), node);
  }

  /** A key that n1 and n2 both replicate, and one n1 replicates without n2. */
  private static String keyReplicatedBy(boolean withN2) {
    for (int i = 0; ; i++) {
      List<String> pref = RING.preferenceList(key("k" + i), N);
      if (pref.contains("n1") && pref.contains("n2") == withN2) {
        return "k" + i;
      }
    }
  }

  @Test
  void toggleTwiceCancelsAndTheRootIsTheXorOfTheLeaves() {
    HashTree tree = new HashTree(8);
    tree.toggle(3, 0xABCDL);
    tree.toggle(5, 0x1234L);
    assertThat(tree.root()).isEqualTo(0xABCDL ^ 0x1234L);
    assertThat(HashTree.differing(tree.leaves(), new long[8])).containsExactly(3, 5);
    tree.toggle(3, 0xABCDL);
    assertThat(tree.leaves()).containsExactly(0, 0, 0, 0, 0, 0x1234L, 0, 0);
    assertThat(tree.root()).isEqualTo(0x1234L);
  }

  @Test
  void treesOfDifferentSizesAreNotCompared() {
    assertThatThrownBy(() -> HashTree.differing(new long[4], new long[8]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 and 8 buckets");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new PeerTrees("n9", RING, N, 16)).hasMessageContaining("n9 is not a node");
    assertThatThrownBy(() -> new PeerTrees("n1", RING, 0, 16)).hasMessageContaining("n must be >= 1");
    assertThatThrownBy(() -> new PeerTrees("n1", RING, N, 12)).hasMessageContaining("power of two");
    PeerTrees trees = new PeerTrees("n1", RING, N, 16);
    assertThatThrownBy(() -> trees.leaves("n1")).hasMessageContaining("n1 is not a peer of node n1");
    assertThatThrownBy(() -> trees.keysIn("n2", new int[] {16})).hasMessageContaining("out of range");
  }

  @Test
  void twoReplicasWithTheSameSetsHaveEqualTreesAndOneChangeShowsExactlyItsBucket() {
    PeerTrees n1 = new PeerTrees("n1", RING, N, 64);
    PeerTrees n2 = new PeerTrees("n2", RING, N, 64);
    for (int i = 0; i < 200; i++) {
      DvvSet<StoredValue> set = write(DvvSet.empty(), "v" + i, "n1", i);
      n1.onChange(key("k" + i), set);
      n2.onChange(key("k" + i), set);
    }
    assertThat(n1.leaves("n2")).containsExactly(n2.leaves("n1"));
    assertThat(n1.root("n2")).isEqualTo(n2.root("n1")).isNotZero();

    String shared = keyReplicatedBy(true);
    n1.onChange(key(shared), write(DvvSet.empty(), "changed", "n1", 999));
    assertThat(HashTree.differing(n1.leaves("n2"), n2.leaves("n1"))).containsExactly(n1.bucketOf(key(shared)));
    assertThat(n1.keysIn("n2", new int[] {n1.bucketOf(key(shared))})).containsKey(new PeerTrees.Key(key(shared)));

    String notShared = keyReplicatedBy(false);
    long[] before = n1.leaves("n2");
    n1.onChange(key(notShared), write(DvvSet.empty(), "other", "n1", 1000));
    assertThat(n1.leaves("n2")).as("a key n2 does not replicate is not in n1's tree for n2").containsExactly(before);
  }

  @Test
  void aStaleReportAfterANewerOneChangesNothing() {
    String k = keyReplicatedBy(true);
    DvvSet<StoredValue> older = write(DvvSet.empty(), "a", "n1", 1);
    DvvSet<StoredValue> newer = write(older, "b", "n1", 2);
    PeerTrees inOrder = new PeerTrees("n1", RING, N, 64);
    inOrder.onChange(key(k), older);
    inOrder.onChange(key(k), newer);
    PeerTrees reversed = new PeerTrees("n1", RING, N, 64);
    reversed.onChange(key(k), newer);
    reversed.onChange(key(k), older);
    assertThat(reversed.leaves("n2")).containsExactly(inOrder.leaves("n2"));
    assertThat(inOrder.root("n2")).isNotZero();
  }

  @Test
  void aPurgedKeyLeavesTheTree() {
    String k = keyReplicatedBy(true);
    PeerTrees trees = new PeerTrees("n1", RING, N, 64);
    trees.onChange(key(k), write(DvvSet.empty(), "a", "n1", 1));
    trees.onChange(key(k), DvvSet.empty());
    assertThat(trees.leaves("n2")).containsOnly(0L);
  }

  /** Random writes per key, reported with stale reports interleaved, against a recompute from the final sets. */
  @Test
  void treesEqualANaiveRecomputeOverManySeeds() {
    for (long seed = 1; seed <= 200; seed++) {
      try {
        checkAgainstRecompute(seed);
      } catch (AssertionError e) {
        throw new AssertionError("failing seed " + seed + " (replay: checkAgainstRecompute(" + seed + "))", e);
      }
    }
  }

  private static void checkAgainstRecompute(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    PeerTrees trees = new PeerTrees("n1", RING, N, 16);
    Map<String, DvvSet<StoredValue>> latest = new HashMap<>();
    Map<String, List<DvvSet<StoredValue>>> history = new HashMap<>();
    for (int op = 0; op < 300; op++) {
      String k = "key" + random.nextInt(40);
      DvvSet<StoredValue> prev = latest.getOrDefault(k, DvvSet.empty());
      DvvSet<StoredValue> next = random.nextInt(4) == 0
          ? DvvSet.sync(prev, write(DvvSet.empty(), "c" + op, NODES.get(random.nextInt(4)), op)) // a concurrent sibling
          : write(prev, "v" + op, NODES.get(random.nextInt(4)), op);
      latest.put(k, next);
      history.computeIfAbsent(k, x -> new ArrayList<>()).add(next);
      trees.onChange(key(k), next);
      List<DvvSet<StoredValue>> past = history.get(k);
      if (random.nextInt(3) == 0) { // a late report of an older set of the key
        trees.onChange(key(k), past.get(random.nextInt(past.size())));
      }
    }
    for (String peer : List.of("n2", "n3", "n4")) {
      long[] expected = new long[16];
      latest.forEach((k, set) -> {
        List<String> pref = RING.preferenceList(key(k), N);
        if (pref.contains("n1") && pref.contains(peer)) {
          expected[trees.bucketOf(key(k))] ^= PeerTrees.hash(key(k), SiblingCodec.encode(set));
        }
      });
      assertThat(trees.leaves(peer)).as("tree of n1 for %s, seed %d", peer, seed).containsExactly(expected);
    }
  }
}
