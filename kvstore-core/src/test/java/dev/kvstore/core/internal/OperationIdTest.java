package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.clock.ClockEncodingException;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.Durability;
import dev.kvstore.core.KvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write's operation id is stored with its version, so a coordinator that is sent the same operation again
 * (a client's retry) answers with the version that exists instead of minting a second one, also after a
 * restart; the sibling encoding carries it in a flag bit, and data written before operation ids reads
 * unchanged.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class OperationIdTest {
  private static final OperationId OP = new OperationId("client-1/ab12", 7);

  @TempDir Path dir;

  @Test
  void aRetriedOperationLeavesOneVersionAndAnswersWithTheSet() {
    try (LocalStore store = open()) {
      byte[] key = bytes("k");
      DvvSet<StoredValue> first = store.coordinateLogged(key, bytes("v"), null, OP, null).durable().join();
      Replica.Logged retry = store.coordinateLogged(key, bytes("v"), null, OP, null);

      assertThat(retry.encoded()).as("the retry logs nothing").isNull();
      assertThat(retry.durable().join()).isEqualTo(first);
      assertThat(store.read(key).siblings()).hasSize(1);
      assertThat(store.read(key).siblings().get(0).value().op()).isEqualTo(OP);
    }
  }

  @Test
  void anotherOperationWithTheSameContextIsASibling() {
    try (LocalStore store = open()) {
      byte[] key = bytes("k");
      store.coordinateLogged(key, bytes("v"), store.get(key).context(), OP, null).durable().join();
      store.coordinateLogged(key, bytes("v"), dev.kvstore.core.Context.of(store.contextScope(), VectorClock.empty()),
          new OperationId("client-1/ab12", 8), null).durable().join();

      assertThat(store.read(key).siblings()).as("two operations, two versions").hasSize(2);
    }
  }

  @Test
  void theOperationIdSurvivesARestart() {
    byte[] key = bytes("k");
    DvvSet<StoredValue> written;
    try (LocalStore store = open()) {
      written = store.coordinateLogged(key, bytes("v"), null, OP, null).durable().join();
    }
    try (LocalStore store = open()) {
      store.coordinateLogged(key, bytes("v"), null, OP, null).durable().join();
      assertThat(store.read(key)).as("the same version, no new dot").isEqualTo(written);
    }
  }

  @Test
  void aClientIdThatIsNotUtf8IsABadSiblingValueNotARepairedOne() {
    HlcTimestamp t = new HlcTimestamp(1L, 0);
    DvvSet<StoredValue> set = DvvSet.<StoredValue>empty().update(VectorClock.empty(),
        StoredValue.written(bytes("v"), t, new OperationId("ab", 1)), "n1");
    byte[] encoded = SiblingCodec.encode(set);
    int at = indexOf(encoded, bytes("ab"));
    encoded[at + 1] = (byte) 0xff; // no UTF-8 byte is 0xff

    assertThatThrownBy(() -> SiblingCodec.decode(encoded)).isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("client id is not valid UTF-8");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void twoVersionsOfOneOperationMergeToTheEarlierDottedOneInAnyOrder() {
    HlcTimestamp t = new HlcTimestamp(1L, 0);
    DvvSet<StoredValue> viaA = DvvSet.<StoredValue>empty().update(VectorClock.empty(),
        StoredValue.written(bytes("v"), t, OP), "a.1");
    DvvSet<StoredValue> viaB = DvvSet.<StoredValue>empty().update(VectorClock.empty(),
        StoredValue.written(bytes("v"), t, OP), "b.1");
    DvvSet<StoredValue> other = DvvSet.<StoredValue>empty().update(VectorClock.empty(),
        StoredValue.of(bytes("other"), t), "c.1");

    DvvSet<StoredValue> ab = RetryDuplicates.drop(DvvSet.sync(DvvSet.sync(viaA, other), viaB));
    DvvSet<StoredValue> ba = RetryDuplicates.drop(DvvSet.sync(viaB, DvvSet.sync(other, viaA)));
    assertThat(ab).isEqualTo(ba);
    assertThat(ab.siblings()).extracting(s -> s.dot().node()).containsExactly("a.1", "c.1");
    assertThat(ab.context().get("b.1")).as("the dropped version stays seen").isEqualTo(1);
    assertThat(RetryDuplicates.drop(DvvSet.sync(viaB, ab))).as("a replica holding only the duplicate drops it")
        .isEqualTo(ab);

    try (LocalStore store = open()) {
      byte[] key = bytes("k");
      store.mergeNow(key, viaB);
      store.mergeNow(key, viaA);
      assertThat(store.read(key)).as("the store keeps one version of the operation")
          .isEqualTo(RetryDuplicates.drop(DvvSet.sync(viaA, viaB)));
      assertThat(store.read(key).siblings()).hasSize(1);
    }
  }

  @Test
  void versionsWithoutOperationIdsAreNeverDropped() {
    HlcTimestamp t = new HlcTimestamp(1L, 0);
    DvvSet<StoredValue> set = DvvSet.<StoredValue>empty()
        .update(VectorClock.empty(), StoredValue.of(bytes("v"), t), "a.1")
        .update(VectorClock.empty(), StoredValue.of(bytes("v"), t), "a.1")
        .update(VectorClock.empty(), StoredValue.written(bytes("v"), t, OP), "a.1")
        .update(VectorClock.empty(), StoredValue.written(bytes("v"), t, new OperationId("client-1/ab12", 8)), "a.1");
    assertThat(RetryDuplicates.drop(set)).isSameAs(set);
  }

  @Test
  void theCodecRoundTripsOperationIdsOnValuesAndTombstones() {
    HlcTimestamp t = new HlcTimestamp(1_700_000_000_000L, 3);
    for (StoredValue v : new StoredValue[] {
        StoredValue.written(bytes("x"), t, OP), StoredValue.written(null, t, OP),
        StoredValue.of(bytes("x"), t), StoredValue.tombstone(t), StoredValue.written(new byte[0], t, OP)}) {
      DvvSet<StoredValue> set = DvvSet.<StoredValue>empty().update(VectorClock.empty(), v, "a.1");
      assertThat(SiblingCodec.decode(SiblingCodec.encode(set))).as("round trip of %s", v).isEqualTo(set);
    }
  }

  @Test
  void valuesWithoutAnOperationIdKeepTheEarlierEncoding() {
    HlcTimestamp t = new HlcTimestamp(1L, 2);
    assertThat(HexFormat.of().formatHex(SiblingCodec.encodeValue(StoredValue.of(bytes("x"), t))))
        .isEqualTo("00" + "0000000000000001" + "00000002" + "78");
    assertThat(HexFormat.of().formatHex(SiblingCodec.encodeValue(StoredValue.tombstone(t))))
        .isEqualTo("01" + "0000000000000001" + "00000002");
    assertThat(SiblingCodec.decodeValue(HexFormat.of().parseHex("00000000000000000100000002" + "78")))
        .isEqualTo(StoredValue.of(bytes("x"), t));
  }

  @Test
  void malformedOperationIdsAreRefused() {
    String time = "0000000000000001" + "00000002";
    assertThatThrownBy(() -> SiblingCodec.decodeValue(HexFormat.of().parseHex("04" + time)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flag 4");
    assertThatThrownBy(() -> SiblingCodec.decodeValue(HexFormat.of().parseHex("02" + time + "05" + "6162")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id of 5 bytes");
    assertThatThrownBy(() -> SiblingCodec.decodeValue(HexFormat.of().parseHex("02" + time + "00")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id of 0 bytes");
    assertThatThrownBy(() -> SiblingCodec.decodeValue(HexFormat.of().parseHex("02" + time + "01" + "61" + "0000000000000000")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence must be at least 1");
    assertThatThrownBy(() -> SiblingCodec.decodeValue(HexFormat.of().parseHex("03" + time + "01" + "61" + "0000000000000001" + "78")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tombstone with 1 value bytes");
  }

  @Test
  void operationIdsCheckTheirParts() {
    assertThatThrownBy(() -> new OperationId("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperationId("x".repeat(65), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperationId("c", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperationId(null, 1)).isInstanceOf(NullPointerException.class);
  }

  private LocalStore open() {
    return LocalStore.open(KvStore.local().dataDirectory(dir).nodeId("a").durability(Durability.ALWAYS).config());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
