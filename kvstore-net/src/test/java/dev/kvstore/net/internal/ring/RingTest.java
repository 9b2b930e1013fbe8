package dev.kvstore.net.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kvstore.clock.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Balance, minimal movement and preference-list rules of the consistent-hashing ring. */
@Timeout(60)
class RingTest {
  private static final int KEYS = 100_000;
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Integer> primaries(Ring ring) {
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      count.merge(ring.preferenceList(key(i), 1).get(0), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void fiveNodesWithDefaultVnodesEachOwnTwentyPercentOfKeysWithinFive() {
    Map<String, Integer> count = primaries(Ring.of(FIVE));

    assertThat(count.keySet()).containsExactlyInAnyOrderElementsOf(FIVE);
    count.forEach((node, keys) -> assertThat(keys / (double) KEYS).as("share of %s", node).isBetween(0.15, 0.25));
  }

  @Test
  void ownershipSumsToOneAndPredictsTheKeyShares() {
    Ring ring = Ring.of(FIVE);
    Map<String, Integer> count = primaries(ring);

    Map<String, Double> ownership = ring.ownership();

    assertThat(ownership.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
    ownership.forEach((node, share) ->
        assertThat(count.get(node) / (double) KEYS).as("keys of %s", node).isCloseTo(share, within(0.01)));
  }

  @Test
  void addingASixthNodeMovesAtMostAQuarterOfKeysAndOnlyToIt() {
    Ring five = Ring.of(FIVE);
    Ring six = five.withNode("n6");
    int moved = 0;

    for (int i = 0; i < KEYS; i++) {
      String before = five.preferenceList(key(i), 1).get(0);
      String after = six.preferenceList(key(i), 1).get(0);
      if (!before.equals(after)) {
        moved++;
        assertThat(after).as("new primary of a moved key").isEqualTo("n6");
      }
    }

    assertThat(moved / (double) KEYS).isGreaterThan(0.0).isLessThanOrEqualTo(0.25);
  }

  @Test
  void preferenceListsNeverRepeatANodeAndHaveMinOfNAndSize() {
    Seeds.forEach(300, seed -> {
      SplittableRandom random = new SplittableRandom(seed);
      Ring ring = Ring.of(nodes(1 + random.nextInt(12)), 1 + random.nextInt(64));
      byte[] key = new byte[random.nextInt(40)];
      random.nextBytes(key);
      int n = 1 + random.nextInt(15);

      List<String> replicas = ring.preferenceList(key, n);

      assertThat(replicas).doesNotHaveDuplicates().hasSize(Math.min(n, ring.nodes().size()));
      assertThat(ring.nodes()).containsAll(replicas);
    });
  }

  @Test
  void nLargerThanTheRingReturnsEveryNodeOnce() {
    Ring ring = Ring.of(FIVE);

    assertThat(ring.preferenceList(key(1), 50)).containsExactlyInAnyOrderElementsOf(FIVE);
  }

  @Test
  void removingANodeKeepsTheOtherReplicasInTheirOrder() {
    Seeds.forEach(200, seed -> {
      SplittableRandom random = new SplittableRandom(seed);
      List<String> nodes = nodes(2 + random.nextInt(9));
      Ring ring = Ring.of(nodes, 1 + random.nextInt(32));
      String gone = nodes.get(random.nextInt(nodes.size()));
      byte[] key = key(random.nextInt());
      int n = 1 + random.nextInt(nodes.size() - 1);

      List<String> expected = new ArrayList<>(ring.preferenceList(key, n + 1));
      expected.remove(gone);

      assertThat(ring.withoutNode(gone).preferenceList(key, n)).isEqualTo(expected.subList(0, n));
    });
  }

  @Test
  void ringDependsOnTheNodeSetNotItsOrder() {
    List<String> shuffled = new ArrayList<>(FIVE);
    Collections.shuffle(shuffled, new java.util.Random(7));

    Ring a = Ring.of(FIVE);
    Ring b = Ring.of(shuffled);

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    for (int i = 0; i < 1000; i++) {
      assertThat(b.preferenceList(key(i), 3)).isEqualTo(a.preferenceList(key(i), 3));
    }
  }

  @Test
  void singleNodeAndEmptyRings() {
    assertThat(Ring.of(List.of("solo"), 1).ownership()).containsExactly(Map.entry("solo", 1.0));
    assertThat(Ring.of(List.of("solo"), 1).preferenceList(key(1), 3)).containsExactly("solo");
    assertThat(Ring.of(List.of()).preferenceList(key(1), 3)).isEmpty();
    assertThat(Ring.of(List.of()).ownership()).isEmpty();
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> Ring.of(FIVE, 0)).hasMessageContaining("vnodesPerNode must be in [1, 4096]");
    assertThatThrownBy(() -> Ring.of(List.of("a", "a"))).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> Ring.of(List.of(" "))).hasMessageContaining("blank");
    assertThatThrownBy(() -> Ring.of(FIVE).preferenceList(key(1), 0)).hasMessageContaining("n must be >= 1");
    assertThatThrownBy(() -> Ring.of(FIVE).withNode("n1")).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> Ring.of(FIVE).withoutNode("zz")).hasMessageContaining("not on the ring");
  }

  private static List<String> nodes(int count) {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add("node-" + i);
    }
    return nodes;
  }

  @Test
  void distinctNodesGetDistinctTokens() {
    Ring ring = Ring.of(nodes(50), Ring.DEFAULT_VNODES);
    HashSet<String> primaries = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      primaries.add(ring.preferenceList(key(i), 1).get(0));
    }

    assertThat(primaries).hasSize(50);
  }
}
