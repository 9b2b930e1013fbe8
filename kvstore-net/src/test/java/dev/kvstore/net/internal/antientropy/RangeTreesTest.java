package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.antientropy.RangeTrees.ReplicaRange;
import dev.kvstore.net.internal.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-range hash trees: ranges as the ring defines them, O(1) updates (old hash out, new in), comparison that
 * finds exactly the differing buckets, the key listing of buckets, and trees kept by a real local store's writes
 * (concurrent, with deletes) equal to a rebuild from the store.
 */
@Timeout(60)
class RangeTreesTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Ring RING = Ring.of(NODES);
  private static final int N = 3;

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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
    assertThatThrownBy(() -> new RangeTrees("n9", RING, N, 16)).hasMessageContaining("n9 is not a node");
    assertThatThrownBy(() -> new RangeTrees("n1", RING, 0, 16)).hasMessageContaining("n must be >= 1");
    assertThatThrownBy(() -> new RangeTrees("n1", RING, N, 12)).hasMessageContaining("power of two");
    RangeTrees trees = new RangeTrees("n1", RING, N, 16);
    assertThatThrownBy(() -> trees.leaves("n2,n3,n4")).hasMessageContaining("holds no replica range 'n2,n3,n4'");
    String id = trees.ranges().get(0).id();
    assertThatThrownBy(() -> trees.keysIn(null, id, new int[] {16}, 1)).hasMessageContaining("out of range");
  }

  @Test
  void aNodeHoldsOneRangePerReplicaSetItIsInAndEveryKeyFallsInTheRangeOfItsReplicas() {
    Map<String, RangeTrees> trees = new HashMap<>();
    NODES.forEach(n -> trees.put(n, new RangeTrees(n, RING, N, 16)));
    for (String node : NODES) {
      for (ReplicaRange r : trees.get(node).ranges()) {
        assertThat(r.replicas()).contains(node).hasSize(N);
        assertThat(r.peers()).doesNotContain(node).hasSize(N - 1);
        assertThat(r.id()).isEqualTo(String.join(",", new TreeSet<>(r.replicas())));
        for (String peer : r.peers()) {
          assertThat(trees.get(peer).holds(r.id())).as("%s's peer %s holds %s", node, peer, r.id()).isTrue();
        }
      }
      assertThat(trees.get(node).ranges().stream().mapToInt(ReplicaRange::segments).sum())
          .as("the segments %s replicates", node).isLessThan(RING.segments()).isPositive();
    }
    for (int i = 0; i < 2000; i++) {
      byte[] k = key("k" + i);
      List<String> replicas = RING.preferenceList(k, N);
      for (String node : NODES) {
        ReplicaRange r = trees.get(node).rangeOf(k);
        if (replicas.contains(node)) {
          assertThat(r.id()).isEqualTo(String.join(",", new TreeSet<>(replicas)));
        } else {
          assertThat(r).isNull();
        }
      }
    }
  }

  @Test
  void aWriteXorsTheOldSetOutAndTheNewOneInSoTheTreeDependsOnlyOnTheCurrentSets() {
    byte[] k = key("k1");
    String node = RING.preferenceList(k, N).get(0);
    RangeTrees stepwise = new RangeTrees(node, RING, N, 64);
    stepwise.onWrite(k, null, bytes("a"));
    stepwise.onWrite(k, bytes("a"), bytes("b"));
    stepwise.onWrite(key("k2"), null, bytes("x"));
    RangeTrees direct = new RangeTrees(node, RING, N, 64);
    direct.onWrite(key("k2"), null, bytes("x"));
    direct.onWrite(k, null, bytes("b"));
    for (ReplicaRange r : direct.ranges()) {
      assertThat(stepwise.leaves(r.id())).containsExactly(direct.leaves(r.id()));
    }
    String id = stepwise.rangeOf(k).id();
    long root = stepwise.root(id);
    stepwise.onWrite(k, bytes("b"), null); // the record removed
    assertThat(stepwise.root(id)).isEqualTo(root ^ RangeTrees.hash(k, bytes("b")));
  }

  @Test
  void twoReplicasFindExactlyTheBucketsOfTheKeysThatDiffer() {
    Seeds.forEach(20, this::findExactlyTheDifferingBuckets);
  }

  private void findExactlyTheDifferingBuckets(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    RangeTrees a = new RangeTrees("n1", RING, N, 256);
    String id = a.ranges().get(0).id();
    String peer = a.range(id).peers().get(0);
    RangeTrees b = new RangeTrees(peer, RING, N, 256);
    List<byte[]> inRange = new ArrayList<>();
    for (int i = 0; inRange.size() < 3000; i++) {
      byte[] k = key("key-" + i);
      if (a.rangeOf(k) != null && a.rangeOf(k).id().equals(id)) {
        inRange.add(k);
        a.onWrite(k, null, bytes("v" + i));
        b.onWrite(k, null, bytes("v" + i));
      }
    }
    assertThat(a.leaves(id)).as("seed %d", seed).containsExactly(b.leaves(id));
    TreeSet<Integer> expected = new TreeSet<>();
    for (int j = 0; j < 40; j++) {
      byte[] k = inRange.get(random.nextInt(inRange.size()));
      int i = Integer.parseInt(new String(k, StandardCharsets.UTF_8).substring(4));
      if (expected.add(a.bucketIn(id, k))) {
        a.onWrite(k, bytes("v" + i), random.nextBoolean() ? null : bytes("changed" + i));
      }
    }
    int[] found = HashTree.differing(a.leaves(id), b.leaves(id));
    assertThat(found).as("seed %d", seed).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
    assertThat(a.root(id)).isNotEqualTo(b.root(id));
  }

  @Test
  void treesKeptByConcurrentWritesOfAStoreEqualARebuildAndListTheKeysOfABucket() {
    Seeds.forEach(3, this::keptEqualsRebuilt);
  }

  private void keptEqualsRebuilt(long seed) {
    try (LocalStore store = LocalStore.open(KvStore.local().inMemory().nodeId("n1").config())) {
      RangeTrees kept = new RangeTrees("n1", RING, N, 64);
      store.addWriteListener(kept);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          SplittableRandom random = new SplittableRandom(seed + t);
          writers.add(CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) {
              byte[] k = key("k" + random.nextInt(300));
              if (random.nextInt(5) == 0) {
                store.delete(k, store.get(k).context());
              } else {
                store.put(k, bytes("v" + i));
              }
            }
          }, pool));
        }
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();
      } finally {
        pool.shutdownNow();
      }
      RangeTrees rebuilt = new RangeTrees("n1", RING, N, 64);
      rebuilt.rebuild(store);
      for (ReplicaRange r : kept.ranges()) {
        assertThat(kept.leaves(r.id())).as("seed %d, range %s", seed, r.id()).containsExactly(rebuilt.leaves(r.id()));
      }
      ReplicaRange r = kept.ranges().get(0);
      int bucket = -1;
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        byte[] k = key("k" + i);
        if (kept.bucketIn(r.id(), k) >= 0 && (bucket < 0 || kept.bucketIn(r.id(), k) == bucket)) {
          bucket = kept.bucketIn(r.id(), k);
          expected.add("k" + i);
        }
      }
      RangeTrees.Listing listing = kept.keysIn(store, r.id(), new int[] {bucket}, Long.MAX_VALUE);
      assertThat(listing.covered()).isEqualTo(1);
      assertThat(listing.keys().keySet().stream().map(k -> new String(k.bytes(), StandardCharsets.UTF_8)))
          .containsExactlyInAnyOrderElementsOf(expected);
      long xor = listing.keys().values().stream().mapToLong(Long::longValue).reduce(0, (x, y) -> x ^ y);
      assertThat(xor).as("the listed hashes make up the leaf").isEqualTo(kept.leaves(r.id())[bucket]);
    }
  }
}
