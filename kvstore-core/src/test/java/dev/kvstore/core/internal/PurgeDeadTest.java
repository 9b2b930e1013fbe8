package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeadKeys}: a dead key's record (no live value, tombstones older than the cutoff) is removed
 * only when the gate says every replica holds it; a key with a live value or a young tombstone never is; the
 * removed contexts' counters survive a reopen through the counter floor, which no scan or listener sees.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PurgeDeadTest {
  private static final PurgeGate EVERY_REPLICA_HOLDS_IT = (key, set) -> true;
  private static final PurgeGate NOT_KNOWN = (key, set) -> false;

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void aDeletedKeyIsRemovedOnlyOnceTheGateSaysEveryReplicaHoldsIt() {
    try (LocalStore store = open(KvStore.local().inMemory())) {
      deleteAfterPut(store, "k");
      now.addAndGet(60_000);
      long cutoff = now.get() - 1;
      assertThat(purge(store, cutoff, NOT_KNOWN)).isZero();
      assertThat(store.read(bytes("k")).size()).as("the tombstone stays while a replica is not known to hold it")
          .isEqualTo(1);
      assertThat(purge(store, cutoff, EVERY_REPLICA_HOLDS_IT)).isEqualTo(1);
      assertThat(store.read(bytes("k"))).as("the record is gone, context and all").isEqualTo(DvvSet.empty());
      assertThat(purge(store, cutoff, EVERY_REPLICA_HOLDS_IT)).as("nothing left").isZero();
    }
  }

  @Test
  void aTombstoneYoungerThanTheCutoffOrBesideALiveValueIsNeverRemoved() {
    try (LocalStore store = open(KvStore.local().inMemory())) {
      deleteAfterPut(store, "young");
      long cutoff = now.get(); // the tombstone was written at the cutoff, not before it
      store.put(bytes("live"), bytes("v1"), Context.empty());
      Context seen = store.get(bytes("live")).context();
      store.put(bytes("live"), bytes("v2"), Context.empty()); // concurrent with the delete below
      store.delete(bytes("live"), seen);
      now.addAndGet(1);
      assertThat(store.read(bytes("live")).size()).as("a tombstone and a concurrent value").isEqualTo(2);
      assertThat(purge(store, cutoff, EVERY_REPLICA_HOLDS_IT)).isZero();
      assertThat(purge(store, now.get(), EVERY_REPLICA_HOLDS_IT)).as("young is old enough now").isEqualTo(1);
      assertThat(store.get(bytes("live")).strings()).containsExactly("v2");
    }
  }

  @Test
  void theGateIsAskedWithTheDeadSetOnly() {
    try (LocalStore store = open(KvStore.local().inMemory())) {
      deleteAfterPut(store, "dead");
      store.put(bytes("alive"), bytes("v"), Context.empty());
      now.addAndGet(10);
      List<String> asked = new ArrayList<>();
      purge(store, now.get(), (key, set) -> {
        asked.add(new String(key, StandardCharsets.UTF_8) + "=" + set.size());
        return false;
      });
      assertThat(asked).containsExactly("dead=1");
    }
  }

  @Test
  void theCountersOfARemovedKeySurviveAReopenSoAnOldContextCoversNoLaterWrite() {
    long issued;
    Context stale;
    try (LocalStore store = open(KvStore.local().dataDirectory(dir))) {
      store.put(bytes("other"), bytes("x"), Context.empty());
      store.put(bytes("k"), bytes("v1"), Context.empty());
      store.put(bytes("k"), bytes("v2"), store.get(bytes("k")).context());
      stale = store.delete(bytes("k"), store.get(bytes("k")).context()); // the newest counter of this actor
      issued = store.issuedCounter();
      now.addAndGet(10);
      assertThat(purge(store, now.get(), EVERY_REPLICA_HOLDS_IT)).isEqualTo(1);
    }
    try (LocalStore store = open(KvStore.local().dataDirectory(dir))) {
      assertThat(store.issuedCounter()).as("the counter floor kept the removed key's counter").isEqualTo(issued);
      List<String> keys = new ArrayList<>();
      store.addChangeListener((key, set) -> keys.add(new String(key, StandardCharsets.UTF_8)));
      store.scan(null, null, (k, set) -> keys.add(new String(k, StandardCharsets.UTF_8)));
      assertThat(keys).as("the floor is no key").containsExactly("other");
      store.put(bytes("k"), bytes("fresh"), Context.empty());
      store.put(bytes("k"), bytes("from-stale-reader"), stale);
      assertThat(store.get(bytes("k")).strings()).as("the stale context did not see 'fresh'")
          .containsExactlyInAnyOrder("fresh", "from-stale-reader");
    }
  }

  @Test
  void aWriteListenerSeesTheRemovalAsTheOldSetOutAndNothingInAndNeverSeesTheFloor() {
    try (LocalStore store = open(KvStore.local().dataDirectory(dir))) {
      deleteAfterPut(store, "k");
      byte[] dead = SiblingCodec.encode(store.read(bytes("k")));
      List<String> writes = new ArrayList<>();
      store.addWriteListener((key, before, after) -> writes.add(new String(key, StandardCharsets.UTF_8) + ":"
          + (before == null ? "none" : java.util.HexFormat.of().formatHex(before)) + "->"
          + (after == null ? "none" : java.util.HexFormat.of().formatHex(after))));
      now.addAndGet(10);
      assertThat(purge(store, now.get(), EVERY_REPLICA_HOLDS_IT)).isEqualTo(1);
      assertThat(writes).as("what a hash tree is told: the dead set out, nothing in; the counter floor not at all")
          .containsExactly("k:" + java.util.HexFormat.of().formatHex(dead) + "->none");
    }
    try (LocalStore store = open(KvStore.local().dataDirectory(dir))) {
      List<String> encoded = new ArrayList<>();
      store.scanEncoded(null, null, (k, set) -> encoded.add(new String(k, StandardCharsets.UTF_8)));
      assertThat(encoded).as("a tree rebuilt from the store after a reopen sees neither the key nor the floor")
          .isEmpty();
    }
  }

  private static int purge(LocalStore store, long cutoff, PurgeGate gate) {
    return new DeadKeys(store).purge(cutoff, gate, null).join();
  }

  @Test
  void aSetThisStoreDoesNotHoldIsNeitherRemovedNorTakenIntoTheFloor() {
    try (LocalStore store = open(KvStore.local().inMemory())) {
      deleteAfterPut(store, "k");
      DvvSet<StoredValue> mine = store.read(bytes("k"));
      now.addAndGet(10);
      DvvSet<StoredValue> claimed = DvvSet.sync(mine, DvvSet.<StoredValue>empty()
          .update(dev.kvstore.clock.VectorClock.empty(), StoredValue.tombstone(new dev.kvstore.clock.HlcTimestamp(1, 0)),
              dev.kvstore.clock.Dot.of(store.actorId(), 1_000_000)).retain(s -> false));
      java.util.Map<java.nio.ByteBuffer, DvvSet<StoredValue>> request = java.util.Map.of(
          java.nio.ByteBuffer.wrap(bytes("k")), claimed);
      assertThat(new DeadKeys(store).remove(request, now.get(), null).join()).isZero();
      assertThat(store.read(bytes("k"))).as("the key stays").isEqualTo(mine);
      assertThat(store.highestCountersOf("n1")).as("no claimed counter taken").containsValue(2L)
          .doesNotContainValue(1_000_000L);
    }
  }

  private void deleteAfterPut(LocalStore store, String key) {
    store.put(bytes(key), bytes("v"), Context.empty());
    store.delete(bytes(key), store.get(bytes(key)).context());
  }

  private LocalStore open(dev.kvstore.core.LocalStoreBuilder builder) {
    return LocalStore.open(builder.nodeId("n1").clock(() -> Instant.ofEpochMilli(now.get())).config());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
