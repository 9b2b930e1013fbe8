package dev.kvstore.net;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child JVM of {@link HintHolderCrashIT}: runs node n1 of a three-node cluster whose n3 is not running,
 * writes {@code count} keys through itself (W=2), waits until it holds a durable hint for n3 for each, prints
 * {@code held N}, and then waits to be killed.
 *
 * <p>Arguments: data directory of n1, the port of n2, the number of keys. n1 listens on a port of its own
 * choosing (port 0); n3 is given port 0, where nothing listens.
 */
public final class HintHolderChild {
  private HintHolderChild() {}

  private static long heldFor(KvNode node, String target) {
    NodeHealth.HeldHints held = node.health().hintsHeld().get(target);
    return held == null ? 0 : held.keys();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    peers.put("n1", PortZeroCluster.ANY_PORT);
    peers.put("n2", new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])));
    peers.put("n3", PortZeroCluster.ANY_PORT); // not running: nothing listens on port 0
    int count = Integer.parseInt(args[2]);
    KvNode n1 = KvNode.builder().nodeId("n1").clusterId("hints").dataDirectory(dir).engine(EngineType.ROCKSDB)
        .durability(Durability.ALWAYS).listen(PortZeroCluster.ANY_PORT).peers(peers)
        .requestTimeout(Duration.ofSeconds(5)).failureDetection(Duration.ofMillis(100), 8).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    // A child process polling its own state (the parent test waits on the line it prints): first until it
    // has heard from n2 and treats n3 as down, then until the hints are durable.
    while (!n1.health().peers().stream().allMatch(p -> p.up() == p.node().equals("n2"))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    for (int i = 0; i < count; i++) {
      n1.put("key-" + i, "value-" + i);
    }
    long held;
    while ((held = heldFor(n1, "n3")) < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.println("held " + held + " of " + n1.health().hintKeysHeld());
    System.out.flush();
    System.in.read(); // until killed
  }
}
