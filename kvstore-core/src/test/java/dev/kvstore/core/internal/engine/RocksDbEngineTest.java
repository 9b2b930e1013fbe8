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
