package dev.kvstore.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvstore.core.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RocksDbEngineTest extends EngineContractTest {

  @Override
  protected Engine open(Path directory) {
    return RocksDbEngine.open(directory);
  }

  @Override
  protected int propertySeeds() {
    return 200;
  }

  @Test
  void aCachedReadAnswersFromMemoryAndSaysWhenOnlyTheDiskKnows() {
    engine.apply(1, List.of(put("k", "v1"), put("gone", "x")));
    engine.apply(2, List.of(new Write(bytes("gone"), null)));
    assertThat(engine.getCached(bytes("k"))).as("in the memtable").isEqualTo(bytes("v1"));
    assertThat(engine.getCached(bytes("gone"))).as("removed").isNull();
    assertThat(engine.getCached(bytes("never"))).as("never written").isNull();
    engine.checkpoint(); // the memtable goes to an SST file
    reopen(); // with a cold block cache
    assertThat(engine.getCached(bytes("k"))).as("only on disk now").isSameAs(Engine.NOT_CACHED);
    assertThat(engine.getCached(bytes("never"))).as("ruled out by the bloom filter, no disk read").isNull();
    assertThat(engine.get(bytes("k"))).isEqualTo(bytes("v1")); // reads the block into the cache
    assertThat(engine.getCached(bytes("k"))).as("cached by the full read").isEqualTo(bytes("v1"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void secondEngineOnTheSameDirectoryIsRefused() {
    assertThatThrownBy(() -> RocksDbEngine.open(dir.resolve("engine")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir.resolve("engine").toString());
  }

  @Test
  void rocksDbsOwnWriteAheadLogStaysEmpty() throws Exception {
    for (int seq = 1; seq <= 50; seq++) {
      engine.apply(seq, List.of(put("key-" + seq, "value-" + seq)));
    }
    try (Stream<Path> files = Files.list(dir.resolve("engine"))) {
      List<Path> logs =
          files.filter(p -> p.getFileName().toString().matches("\\d+\\.log")).toList();
      assertThat(logs).as("RocksDB keeps a (disabled) log file").isNotEmpty();
      for (Path log : logs) {
        assertThat(Files.size(log)).as("%s", log).isZero();
      }
    }
  }

  @Test
  void fileInsteadOfADirectoryIsAStorageException() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-directory"));
    assertThatThrownBy(() -> RocksDbEngine.open(file))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }
}
