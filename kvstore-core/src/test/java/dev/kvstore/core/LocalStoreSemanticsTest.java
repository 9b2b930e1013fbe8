package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.StoredValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The versioning rules of the local store (DESIGN, kvstore-core), on both engines and in memory. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalStoreSemanticsTest {
  @TempDir Path dir;

  enum Kind { ROCKSDB, MEMORY, IN_MEMORY }

  private KvStore open(Kind kind) {
    LocalStoreBuilder b = KvStore.local().nodeId("n1");
    return switch (kind) {
      case ROCKSDB -> b.dataDirectory(dir).engine(EngineType.ROCKSDB).open();
      case MEMORY -> b.dataDirectory(dir).engine(EngineType.MEMORY).open();
      case IN_MEMORY -> b.inMemory().open();
    };
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void putThenGetReturnsTheValueWithOneDotOfThisActor(Kind kind) {
    try (KvStore store = open(kind)) {
      store.put("k", "v1");
      Versions read = store.get("k");
      assertThat(read.strings()).containsExactly("v1");
      Version v = read.versions().get(0);
      assertThat(v.writer()).startsWith("n1.");
      assertThat(v.dot()).isEqualTo(dev.kvstore.clock.Dot.of(v.writer(), 1));
      assertThat(v.past().isEmpty()).as("a blind first write has seen nothing").isTrue();
      assertThat(read.context().clock()).isEqualTo(v.joinedClock());
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void causalPutSupersedesOnlyWhatItsContextSaw(Kind kind) {
    try (KvStore store = open(kind)) {
      store.put("k", "v1");
      Context seenV1 = store.get("k").context();
      store.put("k", "a", seenV1);
      store.put("k", "b", seenV1); // concurrent with a: same context
      Versions read = store.get("k");
      assertThat(read.strings()).containsExactlyInAnyOrder("a", "b");
      store.put("k", "resolved", read.context());
      assertThat(store.get("k").strings()).containsExactly("resolved");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void blindPutSupersedesEverythingTheNodeHolds(Kind kind) {
    try (KvStore store = open(kind)) {
      Context c0 = store.get("k").context();
      store.put("k", "a", c0);
      store.put("k", "b", c0);
      assertThat(store.get("k").versions()).hasSize(2);
      store.put("k", "c");
      assertThat(store.get("k").strings()).containsExactly("c");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void emptyContextSupersedesNothing(Kind kind) {
    try (KvStore store = open(kind)) {
      store.put("k", "old");
      store.put("k", "new", Context.empty());
      assertThat(store.get("k").strings()).containsExactlyInAnyOrder("old", "new");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void eightThreadsWritingWithTheSameContextAllSurviveAsSiblings(Kind kind) throws Exception {
    try (KvStore store = open(kind)) {
      store.put("k", "base");
      Context ctx = store.get("k").context();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Context>> done = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String value = "w" + i;
        done.add(pool.submit(() -> {
          start.await();
          return store.put("k", value, ctx);
        }));
      }
      start.countDown();
      for (Future<Context> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(store.get("k").strings())
          .containsExactlyInAnyOrder("w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void putAfterDeleteWithItsContextSupersedesTheTombstone(Kind kind) {
    try (KvStore store = open(kind)) {
      store.put("k", "v1");
      Context afterDelete = store.delete("k", store.get("k").context());
      Versions gone = store.get("k");
      assertThat(gone.isFound()).isFalse();
      assertThat(gone.context().isEmpty()).isFalse();
      assertThat(gone.context()).isEqualTo(afterDelete);
      store.put("k", "v2", gone.context());
      Versions back = store.get("k");
      assertThat(back.strings()).containsExactly("v2");
      LocalStore raw = (LocalStore) store;
      assertThat(raw.read(bytes("k")).size()).as("the tombstone is superseded, not kept").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void deleteAfterConcurrentPutsRemovesOnlyWhatItSaw(Kind kind) {
    try (KvStore store = open(kind)) {
      Context c0 = store.get("k").context();
      store.put("k", "a", c0);
      Context sawA = store.get("k").context();
      store.put("k", "b", c0);
      store.delete("k", sawA);
      assertThat(store.get("k").strings()).containsExactly("b");
      store.delete("k", store.get("k").context());
      assertThat(store.get("k").isFound()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"ROCKSDB", "MEMORY"})
  void siblingsOfMaximumSizeTogetherExceedingOneValueAreKept(Kind kind) {
    try (KvStore store = KvStore.local().dataDirectory(dir).engine(EngineType.valueOf(kind.name()))
        .maxValueBytes(64 * 1024).open()) {
      byte[] big = new byte[64 * 1024];
      store.put(bytes("k"), big, Context.empty());
      store.put(bytes("k"), big, Context.empty());
      store.put(bytes("k"), big, Context.empty());
      assertThat(store.get("k").versions()).hasSize(3);
    }
  }

  @Test
  void lastWriteWinsKeepsOnlyTheLatestHybridTime() {
    try (KvStore store = KvStore.local().inMemory().nodeId("n1").conflictPolicy(ConflictPolicy.LAST_WRITE_WINS).open()) {
      Context c0 = store.get("k").context();
      store.put("k", "first", c0);
      store.put("k", "second", c0);
      assertThat(store.get("k").strings()).containsExactly("second");
      LocalStore raw = (LocalStore) store;
      long now = raw.read(bytes("k")).siblings().get(0).value().time().physicalMillis();
      DvvSet<StoredValue> remoteLater = DvvSet.<StoredValue>empty()
          .update(dev.kvstore.clock.VectorClock.empty(), StoredValue.of(bytes("remote"), new HlcTimestamp(now + 60_000, 0)), "n2.x");
      raw.mergeNow(bytes("k"), remoteLater);
      assertThat(store.get("k").strings()).containsExactly("remote");
      DvvSet<StoredValue> remoteEarlier = DvvSet.<StoredValue>empty()
          .update(dev.kvstore.clock.VectorClock.empty(), StoredValue.of(bytes("stale"), new HlcTimestamp(now - 60_000, 0)), "n3.x");
      raw.mergeNow(bytes("k"), remoteEarlier);
      assertThat(store.get("k").strings()).containsExactly("remote");
    }
  }

  @Test
  void lastWriteWinsBreaksTimeTiesByNodeId() {
    try (KvStore store = KvStore.local().inMemory().nodeId("n1").conflictPolicy(ConflictPolicy.LAST_WRITE_WINS).open()) {
      LocalStore raw = (LocalStore) store;
      HlcTimestamp t = new HlcTimestamp(1_000, 0);
      raw.mergeNow(bytes("k"), DvvSet.<StoredValue>empty().update(dev.kvstore.clock.VectorClock.empty(), StoredValue.of(bytes("from-b"), t), "b.1"));
      raw.mergeNow(bytes("k"), DvvSet.<StoredValue>empty().update(dev.kvstore.clock.VectorClock.empty(), StoredValue.of(bytes("from-a"), t), "a.1"));
      assertThat(store.get("k").strings()).containsExactly("from-b");
    }
  }

  @Test
  void resolverMergesSiblingsAtReadAndItsContextSupersedesThemAll() {
    ConflictResolver longest = (key, siblings) -> siblings.stream().map(Version::value)
        .max(java.util.Comparator.comparingInt((byte[] b) -> b.length)).orElseThrow();
    try (KvStore store = KvStore.local().inMemory().conflictResolver(longest).open()) {
      Context c0 = store.get("k").context();
      store.put("k", "short", c0);
      store.put("k", "the longest", c0);
      Versions read = store.get("k");
      assertThat(read.strings()).containsExactly("the longest");
      store.put("k", "final", read.context());
      assertThat(((LocalStore) store).read(bytes("k")).size()).isEqualTo(1);
    }
  }

  @Test
  void tombstonesArePurgedOnlyAfterTheGracePeriod() {
    MutableClock clock = new MutableClock(1_000_000);
    try (KvStore store = KvStore.local().inMemory().clock(clock).tombstoneGrace(java.time.Duration.ofMinutes(10)).open()) {
      LocalStore raw = (LocalStore) store;
      store.put("k", "v");
      store.delete("k", store.get("k").context());
      clock.advance(9 * 60_000);
      assertThat(raw.purgeTombstones()).isZero();
      assertThat(raw.read(bytes("k")).size()).as("tombstone kept within grace").isEqualTo(1);
      clock.advance(2 * 60_000);
      Context beforePurge = store.get("k").context();
      assertThat(raw.purgeTombstones()).isEqualTo(1);
      assertThat(raw.read(bytes("k")).size()).as("tombstone gone").isZero();
      assertThat(raw.read(bytes("k")).context()).as("the causal context stays").isEqualTo(beforePurge.clock());
      assertThat(raw.purgeTombstones()).as("nothing left to purge").isZero();
    }
  }

  @Test
  void aStaleContextAfterAPurgeNeverDropsANewerWrite() {
    MutableClock clock = new MutableClock(1_000_000);
    try (KvStore store = KvStore.local().inMemory().clock(clock).tombstoneGrace(java.time.Duration.ofMinutes(1)).open()) {
      store.put("k", "v1");
      store.put("k", "v2");
      Context stale = store.get("k").context(); // saw {actor:2}
      store.delete("k", stale);
      clock.advance(2 * 60_000);
      ((LocalStore) store).purgeTombstones();
      store.put("k", "fresh", Context.empty());
      store.put("k", "from-stale-reader", stale);
      assertThat(store.get("k").strings()).as("the stale context did not see 'fresh'")
          .containsExactlyInAnyOrder("fresh", "from-stale-reader");
    }
  }

  @Test
  void aDirectoryWhoseDataWasWipedButIdentityKeptGetsANewIncarnation() throws Exception {
    String first;
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).open()) {
      store.put("k", "v1");
      first = store.actorId();
    }
    deleteTree(dir.resolve("wal"));
    deleteTree(dir.resolve("engine"));
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).open()) {
      assertThat(store.actorId()).isNotEqualTo(first);
      assertThat(store.get("k").isFound()).isFalse();
    }
  }

  @Test
  void aStoreThatWasNotClosedCleanlyGetsANewIncarnationAndKeepsItsData() throws Exception {
    String first;
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).open()) {
      assertThat(dir.resolve("CLEAN")).as("an open store has no clean marker").doesNotExist();
      store.put("k", "v1");
      first = store.actorId();
    }
    assertThat(dir.resolve("CLEAN")).as("a clean close leaves the marker").exists();
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).open()) {
      assertThat(store.actorId()).as("after a clean close").isEqualTo(first);
    }
    java.nio.file.Files.delete(dir.resolve("CLEAN")); // what a killed process leaves: open removed it, close never ran
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).open()) {
      assertThat(store.actorId()).as("after an unclean stop").startsWith("local.").isNotEqualTo(first);
      assertThat(store.get("k").strings()).containsExactly("v1");
      store.put("k", "v2");
      assertThat(store.get("k").strings()).containsExactly("v2");
    }
  }

  @Test
  void lastWriteWinsAfterReopenWithTheWallClockBehindKeepsTheNewWrite() {
    MutableClock clock = new MutableClock(5_000_000);
    try (KvStore store = KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).clock(clock)
        .conflictPolicy(ConflictPolicy.LAST_WRITE_WINS).open()) {
      store.put("k", "old");
    }
    clock.advance(-60_000); // the wall clock stepped back while the store was closed
    try (KvStore store = KvStore.local().dataDirectory(dir).engine(EngineType.MEMORY).clock(clock)
        .conflictPolicy(ConflictPolicy.LAST_WRITE_WINS).open()) {
      store.put("k", "new", Context.empty());
      assertThat(store.get("k").strings()).containsExactly("new");
    }
  }

  @Test
  void aFailingChangeListenerDoesNotFailTheWrite() {
    try (KvStore store = KvStore.local().inMemory().open()) {
      LocalStore raw = (LocalStore) store;
      java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      raw.addChangeListener((k, set) -> {
        throw new IllegalStateException("listener bug");
      });
      raw.addChangeListener((k, set) -> seen.add(new String(k, StandardCharsets.UTF_8)));
      store.put("k", "v");
      assertThat(store.get("k").strings()).containsExactly("v");
      assertThat(seen).as("later listeners still run").containsExactly("k");
    }
  }

  @Test
  void aWipedDirectoryGetsANewIncarnationSoOldDotsAreNeverReissued() throws Exception {
    Path a = dir.resolve("a");
    String firstActor;
    DvvSet<StoredValue> heldByPeer;
    try (LocalStore store = (LocalStore) KvStore.local().dataDirectory(a).nodeId("n1").engine(EngineType.MEMORY).open()) {
      store.put("k", "v1");
      firstActor = store.actorId();
      heldByPeer = store.read(bytes("k"));
    }
    try (LocalStore reopened = (LocalStore) KvStore.local().dataDirectory(a).nodeId("n1").engine(EngineType.MEMORY).open()) {
      assertThat(reopened.actorId()).as("same directory, same actor").isEqualTo(firstActor);
    }
    deleteTree(a);
    try (LocalStore wiped = (LocalStore) KvStore.local().dataDirectory(a).nodeId("n1").engine(EngineType.MEMORY).open()) {
      assertThat(wiped.actorId()).startsWith("n1.").isNotEqualTo(firstActor);
      wiped.put("k", "v2-after-disk-loss");
      DvvSet<StoredValue> merged = DvvSet.sync(heldByPeer, wiped.read(bytes("k")));
      assertThat(merged.values()).extracting(v -> new String(v.value(), StandardCharsets.UTF_8))
          .as("kv679: neither write is lost").containsExactlyInAnyOrder("v1", "v2-after-disk-loss");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"ROCKSDB", "MEMORY"})
  void everythingWrittenIsThereAfterReopen(Kind kind) {
    try (KvStore store = open(kind)) {
      for (int i = 0; i < 500; i++) {
        store.put("k" + i, "v" + i);
      }
      store.put("k7", "again");
    }
    try (KvStore store = open(kind)) {
      for (int i = 0; i < 500; i++) {
        assertThat(store.get("k" + i).strings()).containsExactly(i == 7 ? "again" : "v" + i);
      }
      store.put("k7", "third");
      Version v = store.get("k7").versions().get(0);
      // an actor numbers its writes across keys: 501 before the reopen, so the next one is 502
      assertThat(v.dot().counter()).as("counters continue after reopen").isEqualTo(502);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void asyncTwinsBehaveLikeTheBlockingForms(Kind kind) throws Exception {
    try (KvStore store = open(kind)) {
      Context c = store.putAsync(bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS);
      assertThat(store.getAsync(bytes("k")).get(10, TimeUnit.SECONDS).strings()).containsExactly("v");
      store.deleteAsync(bytes("k"), c).get(10, TimeUnit.SECONDS);
      assertThat(store.getAsync(bytes("k")).get(10, TimeUnit.SECONDS).isFound()).isFalse();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
  }

  /** A settable wall clock. */
  static final class MutableClock implements java.time.InstantSource {
    private volatile long millis;

    MutableClock(long millis) {
      this.millis = millis;
    }

    void advance(long by) {
      millis += by;
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis);
    }
  }
}
