package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEngineTest extends EngineContractTest {

  @Override
  protected Engine open(Path directory) {
    return MemoryEngine.open(directory);
  }

  @Override
  protected int propertySeeds() {
    return 200;
  }

  private Path snapshot() {
    return dir.resolve("engine").resolve(MemorySnapshot.FILE_NAME);
  }

  @Test
  void inMemoryEngineCheckpointsNothingAndStaysAtDurableZero() {
    try (MemoryEngine memory = MemoryEngine.inMemory()) {
      memory.apply(3, List.of(put("a", "1")));
      assertThat(memory.checkpoint()).isEqualTo(3);
      assertThat(memory.durableSequence()).isZero();
      assertThat(memory.get(utf8("a"))).isEqualTo(utf8("1"));
    }
  }

  @Test
  void crashWithoutCloseLosesOnlyGroupsAfterTheLastCheckpoint() {
    Path crashDir = dir.resolve("crash");
    MemoryEngine crashed = MemoryEngine.open(crashDir);
    crashed.apply(1, List.of(put("a", "1"), put("b", "1")));
    crashed.apply(2, List.of(put("a", "2"), delete("b")));
    crashed.checkpoint();
    crashed.apply(3, List.of(put("a", "3"), put("c", "3")));
    // no close: the process "dies" here

    try (MemoryEngine recovered = MemoryEngine.open(crashDir)) {
      assertThat(recovered.durableSequence()).isEqualTo(2);
      assertThat(recovered.get(utf8("a"))).isEqualTo(utf8("2"));
      assertThat(recovered.get(utf8("b"))).isNull();
      assertThat(recovered.get(utf8("c"))).isNull();
    }
  }

  @Test
  void everyFlippedByteOfASnapshotIsRejectedNamingTheFile() throws Exception {
    engine.apply(9, List.of(put("alpha", "one"), put("beta", "two")));
    engine.close();
    byte[] pristine = Files.readAllBytes(snapshot());

    for (int at = 0; at < pristine.length; at++) {
      byte[] bytes = pristine.clone();
      bytes[at] ^= 0x10;
      Files.write(snapshot(), bytes);
      assertThatThrownBy(() -> MemoryEngine.open(dir.resolve("engine")))
          .as("flip at %d", at)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(snapshot().toString());
    }
    Files.write(snapshot(), pristine);
    engine = MemoryEngine.open(dir.resolve("engine"));
    assertThat(engine.get(utf8("beta"))).isEqualTo(utf8("two"));
  }

  @Test
  void everyTruncationOfASnapshotIsRejected() throws Exception {
    engine.apply(9, List.of(put("alpha", "one")));
    engine.close();
    byte[] pristine = Files.readAllBytes(snapshot());

    for (int length = 0; length < pristine.length; length++) {
      Files.write(snapshot(), Arrays.copyOf(pristine, length));
      assertThatThrownBy(() -> MemoryEngine.open(dir.resolve("engine")))
          .as("length %d", length)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(snapshot().toString());
    }
    Files.write(snapshot(), pristine);
    engine = MemoryEngine.open(dir.resolve("engine"));
  }

  @Test
  void leftoverTemporarySnapshotIsIgnoredAndRemoved() throws Exception {
    engine.apply(1, List.of(put("a", "1")));
    engine.close();
    Path temp = dir.resolve("engine").resolve(MemorySnapshot.FILE_NAME + ".tmp");
    Files.write(temp, new byte[] {1, 2, 3});

    engine = MemoryEngine.open(dir.resolve("engine"));

    assertThat(engine.get(utf8("a"))).isEqualTo(utf8("1"));
    assertThat(temp).doesNotExist();
  }
}
