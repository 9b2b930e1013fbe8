package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.InvalidRequestException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets its own clear exception and changes nothing on disk. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class BadInputTest {
  @TempDir Path dir;

  private KvStore open() {
    return KvStore.local().dataDirectory(dir).nodeId("n1").maxKeyBytes(16).maxValueBytes(64).open();
  }

  @Test
  void badKeysValuesAndContextsAreRejectedAndChangeNothingOnDisk() throws Exception {
    try (KvStore store = open()) {
      store.put("k", "v");
      Context foreign;
      try (KvStore other = KvStore.local().inMemory().open()) {
        other.put("k", "x");
        foreign = other.get("k").context();
      }
      Map<String, String> before = fingerprint(dir.resolve("wal"));
      Versions was = store.get("k");

      rejects(() -> store.put((byte[]) null, bytes("v")), Reason.NULL_KEY);
      rejects(() -> store.get((byte[]) null), Reason.NULL_KEY);
      rejects(() -> store.put(new byte[0], bytes("v")), Reason.EMPTY_KEY);
      rejects(() -> store.get(new byte[0]), Reason.EMPTY_KEY);
      rejects(() -> store.put(new byte[17], bytes("v")), Reason.KEY_TOO_LARGE);
      rejects(() -> store.delete(new byte[17], Context.empty()), Reason.KEY_TOO_LARGE);
      rejects(() -> store.put(bytes("k"), new byte[65]), Reason.VALUE_TOO_LARGE);
      rejects(() -> store.putAsync(bytes("k"), new byte[65]), Reason.VALUE_TOO_LARGE);
      rejects(() -> store.put(bytes("k"), null), Reason.NULL_VALUE);
      rejects(() -> store.put(bytes("k"), bytes("v"), null), Reason.NULL_CONTEXT);
      rejects(() -> store.put("k", "v", foreign), Reason.FOREIGN_CONTEXT);
      rejects(() -> store.delete("k", foreign), Reason.FOREIGN_CONTEXT);
      rejects(() -> store.deleteAsync(bytes("k"), foreign), Reason.FOREIGN_CONTEXT);

      assertThat(store.get("k").strings()).isEqualTo(was.strings());
      assertThat(store.get("k").context()).isEqualTo(was.context());
      assertThat(fingerprint(dir.resolve("wal"))).as("log files unchanged").isEqualTo(before);
    }
  }

  @Test
  void aKeyAtTheLimitIsAccepted() {
    try (KvStore store = open()) {
      store.put(new byte[16], new byte[64]);
      assertThat(store.get(new byte[16]).isFound()).isTrue();
    }
  }

  @Test
  void useAfterCloseThrowsStoreClosed() {
    KvStore store = open();
    store.put("k", "v");
    store.close();
    store.close(); // idempotent
    assertThatThrownBy(() -> store.get("k")).isInstanceOf(StoreClosedException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.put("k", "v")).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.delete("k", Context.empty())).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.putAsync(bytes("k"), bytes("v"))).isInstanceOf(StoreClosedException.class);
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsClearlyAndTheFirstKeepsWorking() {
    try (KvStore store = open()) {
      assertThatThrownBy(this::open).isInstanceOf(StoreLockedException.class).hasMessageContaining(dir.toString());
      store.put("k", "still fine");
      assertThat(store.get("k").strings()).containsExactly("still fine");
    }
    try (KvStore again = open()) {
      assertThat(again.get("k").strings()).containsExactly("still fine");
    }
  }

  @Test
  void aDirectoryOfAnotherNodeIsRefused() {
    try (KvStore store = open()) {
      store.put("k", "v");
    }
    assertThatThrownBy(() -> KvStore.local().dataDirectory(dir).nodeId("n2").open())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to node 'n1'");
  }

  @Test
  void builderOptionsAreCheckedWithTheirRange() {
    assertThatThrownBy(() -> KvStore.local().maxKeyBytes(0)).hasMessageContaining("maxKeyBytes");
    assertThatThrownBy(() -> KvStore.local().maxValueBytes(-1)).hasMessageContaining("maxValueBytes");
    assertThatThrownBy(() -> KvStore.local().nodeId("has space")).hasMessageContaining("nodeId");
    assertThatThrownBy(() -> KvStore.local().open()).hasMessageContaining("dataDirectory");
    assertThatThrownBy(() -> KvStore.local().inMemory().conflictPolicy(ConflictPolicy.LAST_WRITE_WINS)
        .conflictResolver((k, s) -> s.get(0).value()).open()).hasMessageContaining("conflictResolver");
  }

  @Test
  void contextsSurviveTheirByteFormAndGarbageIsRejected() {
    try (KvStore store = KvStore.local().inMemory().open()) {
      store.put("k", "v");
      Context c = store.get("k").context();
      assertThat(Context.fromBytes(c.toBytes())).isEqualTo(c);
      assertThatThrownBy(() -> Context.fromBytes(new byte[] {7, 7, 7})).isInstanceOf(InvalidRequestException.class);
      byte[] truncated = java.util.Arrays.copyOf(c.toBytes(), c.toBytes().length - 1);
      assertThatThrownBy(() -> Context.fromBytes(truncated)).isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void aContextWhoseScopeIsNotUtf8IsRejectedNotRepaired() {
    byte[] good = Context.of("ab", dev.kvstore.clock.VectorClock.parse("{a:1}")).toBytes();
    byte[] bad = good.clone();
    bad[3] = (byte) 0xff; // the scope's second byte: no UTF-8 byte is 0xff

    assertThatThrownBy(() -> Context.fromBytes(bad)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("scope is not valid UTF-8");
  }

  private static void rejects(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).reason()).isEqualTo(reason));
  }

  static Map<String, String> fingerprint(Path dir) throws IOException, java.security.NoSuchAlgorithmException {
    Map<String, String> out = new TreeMap<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        out.put(p.getFileName().toString(), java.util.HexFormat.of().formatHex(sha));
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
