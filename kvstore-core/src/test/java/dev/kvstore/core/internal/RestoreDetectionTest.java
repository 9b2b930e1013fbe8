package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.OverloadedException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.Version;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordered incarnations, one dot counter per actor across keys, and what a store does when a peer shows that it
 * runs from an older copy of its directory (docs/storage.md, "Restore detection").
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RestoreDetectionTest {
  @TempDir Path dir;

  private LocalStore open(String node) {
    return (LocalStore) KvStore.local().dataDirectory(dir.resolve(node)).nodeId(node).engine(EngineType.ROCKSDB)
        .contextScope("c").open();
  }

  @Test
  void incarnationsAreNumberedAndEachNewOneIsNumberedAboveTheLast() throws Exception {
    String first;
    try (LocalStore store = open("n1")) {
      first = store.actorId();
    }
    assertThat(Incarnation.ofActor(first, "n1").seq()).isEqualTo(1);
    try (LocalStore store = open("n1")) {
      assertThat(store.actorId()).as("a clean stop keeps the incarnation").isEqualTo(first);
    }
    Files.delete(dir.resolve("n1").resolve("CLEAN")); // as after a kill
    try (LocalStore store = open("n1")) {
      Incarnation second = Incarnation.ofActor(store.actorId(), "n1");
      assertThat(second.seq()).isEqualTo(2);
      assertThat(Files.readString(dir.resolve("n1").resolve("IDENTITY")))
          .as("recorded before use").contains("incarnation=" + second);
    }
  }

  @Test
  void anActorNumbersItsDotsAcrossKeys() {
    try (LocalStore store = open("n1")) {
      store.put("k1", "a");
      store.put("k2", "b");
      store.put("k1", "c");
      Version k1 = store.get("k1").versions().get(0);
      assertThat(k1.dot()).isEqualTo(Dot.of(store.actorId(), 3));
      assertThat(store.issuedCounter()).isEqualTo(3);
    }
    try (LocalStore store = open("n1")) {
      assertThat(store.issuedCounter()).as("rebuilt from the engine at open").isEqualTo(3);
    }
  }

  @Test
  void aPeerHoldingAHigherCounterOfThisActorMakesItTakeANewIncarnationBeforeItMintsAgain() throws Exception {
    String old;
    String renewed;
    try (LocalStore store = open("n1")) {
      store.put("k", "v1");
      store.put("k", "v2");
      old = store.actorId();
      assertThat(store.checkOwnCounters("peer n2", Map.of(old, 2L))).as("nothing it did not issue").isFalse();
      assertThat(store.actorId()).isEqualTo(old);

      assertThat(store.checkOwnCounters("peer n2", Map.of(old, 5L))).isTrue();
      renewed = store.actorId();
      assertThat(renewed).isNotEqualTo(old);
      assertThat(Incarnation.ofActor(renewed, "n1").seq()).isEqualTo(2);
      assertThat(Files.readString(dir.resolve("n1").resolve("IDENTITY")))
          .contains("incarnation=" + Incarnation.ofActor(renewed, "n1"));
      store.put("k", "v3");
      assertThat(store.get("k").versions().get(0).dot()).isEqualTo(Dot.of(renewed, 1));
      assertThat(store.checkOwnCounters("peer n3", Map.of(old, 5L))).as("renews once").isFalse();
    }
    try (LocalStore store = open("n1")) {
      assertThat(store.actorId()).as("the new incarnation survives a clean restart").isEqualTo(renewed);
    }
  }

  @Test
  void aPeerThatKnowsALaterIncarnationMakesTheNextOneNumberedAboveIt() {
    try (LocalStore store = open("n1")) {
      assertThat(store.checkOwnCounters("peer n2", Map.of("n1.7-abcdef", 1L))).isTrue();
      assertThat(Incarnation.ofActor(store.actorId(), "n1").seq()).isEqualTo(8);
    }
  }

  @Test
  void otherNodesActorsOlderIncarnationsAndMalformedIdsChangeNothing() {
    try (LocalStore store = open("n1")) {
      String actor = store.actorId();
      assertThat(store.checkOwnCounters("peer n2", Map.of("n2.5-aaaaaa", 100L, "n1", 5L, "n1.x-y", 3L,
          "n10.9-bbbbbb", 9L, "n1.0-cccccc", 4L))).isFalse();
      assertThat(store.actorId()).isEqualTo(actor);
    }
  }

  @Test
  void whileMintingIsHeldCoordinatedWritesAreRefusedAndChangeNothingButMergesAreTaken() {
    try (LocalStore store = open("n1")) {
      store.holdMinting("asking peers");
      assertThatThrownBy(() -> store.put("k", "v")).isInstanceOf(OverloadedException.class)
          .hasMessageContaining("asking peers");
      assertThat(store.get("k").isFound()).isFalse();
      assertThat(store.issuedCounter()).isZero();
      DvvSet<StoredValue> remote = DvvSet.<StoredValue>empty()
          .update(VectorClock.empty(), StoredValue.of(bytes("r"), new HlcTimestamp(1, 0)), "n2.1-zzzzzz");
      store.mergeNow(bytes("k"), remote);
      assertThat(store.get("k").strings()).containsExactly("r");
      store.releaseMinting();
      store.put("k", "v");
      assertThat(store.get("k").strings()).containsExactly("v");
    }
  }

  @Test
  void aReplicatedSetCarryingAHigherCounterOfThisActorRenewsTheIncarnation() {
    try (LocalStore store = open("n1")) {
      store.put("k", "mine");
      String old = store.actorId();
      DvvSet<StoredValue> fromPeer = DvvSet.<StoredValue>empty()
          .update(VectorClock.empty(), StoredValue.of(bytes("lost-here"), new HlcTimestamp(1, 0)), Dot.of(old, 9));
      store.mergeNow(bytes("k"), fromPeer);
      assertThat(store.actorId()).isNotEqualTo(old);
      assertThat(store.get("k").strings()).contains("lost-here");
    }
  }

  @Test
  void highestCountersOfNamesEveryActorOfTheNodeOverAllKeys() {
    try (LocalStore store = open("n2")) {
      store.mergeNow(bytes("a"), set("n1.1-aaaaaa", 4));
      store.mergeNow(bytes("b"), set("n1.1-aaaaaa", 7));
      store.mergeNow(bytes("c"), set("n1.2-bbbbbb", 2));
      store.mergeNow(bytes("d"), set("n11.1-cccccc", 9));
      assertThat(store.highestCountersOf("n1")).containsExactly(
          Map.entry("n1.1-aaaaaa", 7L), Map.entry("n1.2-bbbbbb", 2L));
    }
    try (LocalStore store = open("n2")) {
      assertThat(store.highestCountersOf("n1")).as("rebuilt at open").containsEntry("n1.1-aaaaaa", 7L);
    }
  }

  @Test
  void anIdentityWithABadIncarnationIsRefusedAndLeftAsItIs() throws Exception {
    try (LocalStore store = open("n1")) {
      store.put("k", "v");
    }
    Path identity = dir.resolve("n1").resolve("IDENTITY");
    String bad = Files.readString(identity).replaceAll("incarnation=.*", "incarnation=x-abcdef");
    Files.writeString(identity, bad);
    assertThatThrownBy(() -> open("n1")).isInstanceOf(StorageException.class)
        .hasMessageContaining("bad incarnation").hasMessageContaining("IDENTITY");
    assertThat(Files.readString(identity)).isEqualTo(bad);
    assertThat(dir.resolve("n1").resolve("CLEAN")).as("the clean marker stays").exists();
  }

  @Test
  void incarnationsParseAndPrint() {
    assertThat(Incarnation.parse("3-x7k2p9")).isEqualTo(new Incarnation(3, "x7k2p9"));
    assertThat(Incarnation.parse("x7k2p9")).as("legacy").isEqualTo(new Incarnation(0, "x7k2p9"));
    assertThat(new Incarnation(3, "x7k2p9").actorOf("n1")).isEqualTo("n1.3-x7k2p9");
    assertThat(Incarnation.ofActor("n1.3-x7k2p9", "n1")).isEqualTo(new Incarnation(3, "x7k2p9"));
    assertThat(Incarnation.ofActor("n1.3-x7k2p9", "n")).isNull();
    assertThatThrownBy(() -> Incarnation.parse("-1-abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Incarnation.parse("q-abc")).isInstanceOf(IllegalArgumentException.class);
  }

  private static DvvSet<StoredValue> set(String actor, long counter) {
    return DvvSet.<StoredValue>empty().update(VectorClock.empty(), StoredValue.of(bytes("v"), new HlcTimestamp(1, 0)),
        Dot.of(actor, counter));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
