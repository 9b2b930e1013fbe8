package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.Incarnation;
import dev.kvstore.net.internal.testing.NettyLeakDetection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data directory is restored from an older clean backup (its {@code CLEAN} marker included) learns
 * from its peers at the handshake that they hold counters it no longer remembers issuing, and takes a new
 * incarnation before it mints: no acknowledged write is dropped. Three KvNodes on 127.0.0.1, real Netty sockets,
 * real RocksDB.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakDetection.class)
class RestoreFromBackupTest {
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  @TempDir Path dir;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, KvNode> nodes = new LinkedHashMap<>();

  @BeforeEach
  void startThree() {
    nodes.putAll(PortZeroCluster.start(IDS, addresses, this::builder));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(KvNode::close);
  }

  private KvNodeBuilder builder(String id) {
    return KvNode.builder().nodeId(id).clusterId("restore").dataDirectory(dir.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS).replication(3, 2, 2)
        .requestTimeout(Duration.ofSeconds(5));
  }

  /** Starts {@code id} again on a new port 0 (it dials the running nodes) and tells them where it is. */
  private KvNode start(String id) {
    return PortZeroCluster.restart(id, IDS, addresses, nodes, this::builder);
  }

  @Test
  void aNodeRestoredFromACleanBackupTakesANewIncarnationAndDropsNoAcknowledgedWrite() throws IOException {
    KvNode n1 = nodes.get("n1");
    n1.put("cart", "[milk]");
    n1.put("other", "o1");

    nodes.remove("n1").close();
    Path backup = dir.resolve("backup-n1");
    copyTree(dir.resolve("n1"), backup);
    assertThat(backup.resolve("CLEAN")).as("a backup of a cleanly stopped node holds the marker").exists();

    n1 = start("n1");
    List<String> acknowledged = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Context seen = n1.get("cart").context();
      n1.put("cart", "[milk] #" + i, seen);
      acknowledged.add("[milk] #" + i);
    }
    n1.put("other", "o2", n1.get("other").context());
    String lastBeforeRestore = acknowledged.get(acknowledged.size() - 1);
    Version beforeRestore = n1.get("cart").versions().get(0);

    nodes.remove("n1").close();
    deleteTree(dir.resolve("n1"));
    copyTree(backup, dir.resolve("n1"));

    n1 = start("n1"); // its peers tell it, at the handshake, how far its actor got
    n1.put("cart", "[tea]"); // a blind put: supersedes what n1 holds (the backup's [milk]) and nothing else
    n1.put("other", "o3");

    Versions cart = n1.withQuorum(2, 3).get("cart");
    assertThat(cart.strings())
        .as("the write acknowledged after the restore and the last one before it both survive")
        .containsExactlyInAnyOrder(lastBeforeRestore, "[tea]");
    Version tea = cart.versions().stream().filter(v -> v.valueAsString().equals("[tea]")).findFirst().orElseThrow();
    assertThat(tea.writer()).as("a new actor").isNotEqualTo(beforeRestore.writer());
    assertThat(incarnationOf(tea).seq()).as("numbered above the incarnation it replaces")
        .isGreaterThan(incarnationOf(beforeRestore).seq());
    assertThat(tea.isConcurrentWith(cart.versions().stream().filter(v -> v != tea).findFirst().orElseThrow()))
        .isTrue();
    assertThat(n1.withQuorum(2, 3).get("other").strings()).containsExactlyInAnyOrder("o2", "o3");
    for (String id : List.of("n2", "n3")) {
      KvNode replica = nodes.get(id);
      Awaitility.await("replica " + id + " holds [tea]").atMost(Duration.ofSeconds(20))
          .until(() -> replica.localVersions("cart").strings().contains("[tea]"));
    }
  }

  private static Incarnation incarnationOf(Version v) {
    return Incarnation.ofActor(v.writer(), "n1");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
