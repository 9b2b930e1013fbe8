package dev.kvstore.examples;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import dev.kvstore.net.KvNode;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kvstore demo}: a tour of a Dynamo-style store on a real 3-node cluster on this machine (one JVM,
 * real sockets on 127.0.0.1, RocksDB, fsync). Each step says what it shows and checks it; the exit code is
 * 0 only when every check held.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local 3-node cluster and walk through versions, siblings, a node failure and its recovery.")
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", description = "Data directory for the three nodes (default: a temporary one, deleted after).")
  Path dir;

  private PrintWriter out;
  private int step;
  private final List<String> failures = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Path root = dir != null ? Directories.create(dir) : Files.createTempDirectory("kvstore-demo");
    Map<String, InetSocketAddress> peers = LocalMachine.loopbackAddresses(3);
    Map<String, KvNode> nodes = new LinkedHashMap<>();
    try {
      say("Starting a 3-node cluster on 127.0.0.1 (N=3 replicas, W=2 write acks, R=2 read replies, fsync on every write)");
      for (String id : peers.keySet()) {
        nodes.put(id, start(id, root, peers));
        out.printf("    %s listening on %s, data in %s%n", id, peers.get(id), root.resolve(id));
      }
      tour(nodes, root, peers);
    } finally {
      nodes.values().forEach(KvNode::close);
      if (dir == null) {
        LocalMachine.deleteTree(root);
      }
    }
    out.println();
    if (failures.isEmpty()) {
      out.println("All " + step + " steps held.");
      out.flush();
      return 0;
    }
    out.println("FAILED checks: " + failures);
    out.flush();
    return 1;
  }

  private void tour(Map<String, KvNode> nodes, Path root, Map<String, InetSocketAddress> peers) {
    KvNode n1 = nodes.get("n1");
    KvNode n2 = nodes.get("n2");
    KvNode n3 = nodes.get("n3");

    say("Write cart=[milk] through n1, read it through n2: a version is a vector clock of (actor: counter)");
    n1.put("cart", "[milk]");
    Versions v = n2.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk]")), "n2 reads what n1 wrote");

    say("Read, then write with the context you read: the new version supersedes the old one (its clock is later)");
    Context ctx = n3.get("cart").context();
    n3.put("cart", "[milk, eggs]", ctx);
    v = n1.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk, eggs]")), "one value, the causal successor");

    say("Two clients read the same version and both write: neither write is lost, they become siblings");
    Context both = n1.get("cart").context();
    n1.put("cart", "[milk, eggs, bread]", both);
    n2.put("cart", "[milk, eggs, jam]", both);
    v = n3.get("cart");
    show(v);
    check(v.versions().size() == 2, "two concurrent siblings");
    if (v.versions().size() == 2) {
      Version a = v.versions().get(0);
      Version b = v.versions().get(1);
      out.printf("    compare(%s, %s) = %s%n", a.clock(), b.clock(), a.clock().compare(b.clock()));
      check(a.clock().isConcurrentWith(b.clock()), "their clocks are concurrent");
    }

    say("The reader resolves the siblings (a union of both carts) and writes with the context that saw both");
    n3.put("cart", "[milk, eggs, bread, jam]", v.context());
    v = n2.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk, eggs, bread, jam]")), "siblings resolved into one value");

    say("Stop node n3. Asking for W=3 now fails clearly instead of pretending");
    n3.close();
    nodes.remove("n3");
    try {
      n1.withQuorum(3, 2).put("cart", "[milk, eggs, bread, jam, coffee]", n1.get("cart").context());
      check(false, "a W=3 write must fail with one node down");
    } catch (InsufficientReplicasException e) {
      out.println("    " + e.getClass().getSimpleName() + ": " + e.getMessage());
      check(e.answered() == 2 && e.required() == 3, "2 of 3 acks");
    }
    out.println("    (no rollback in a Dynamo-style store: n1 and n2 keep the unacknowledged version; the next write supersedes it)");

    say("Writes still succeed with W=2 (two durable acks of three): read, then write with the context");
    Versions before = n1.get("cart");
    show(before);
    Context afterFailure = n1.put("cart", "[milk, eggs, bread, jam, tea]", before.context());
    out.printf("    put through n1 acknowledged, context %s%n", afterFailure);
    check(n2.get("cart").strings().equals(List.of("[milk, eggs, bread, jam, tea]")), "n2 serves the write made during the failure");

    say("Restart n3 from its data directory: its own copy is stale (it missed the write)");
    KvNode back = start("n3", root, peers);
    nodes.put("n3", back);
    Versions stale = back.localVersions("cart");
    out.println("    n3's own replica: " + describe(stale));
    check(stale.strings().equals(List.of("[milk, eggs, bread, jam]")), "n3 kept what it had on disk, and missed the tea");

    say("A read through n3 merges the replicas (R=2) and repairs n3 (read repair)");
    v = back.get("cart");
    show(v);
    check(v.strings().contains("[milk, eggs, bread, jam, tea]"), "the read returns the latest write");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!back.localVersions("cart").strings().equals(List.of("[milk, eggs, bread, jam, tea]")) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    Versions repaired = back.localVersions("cart");
    out.println("    n3's own replica now: " + describe(repaired));
    check(repaired.strings().equals(List.of("[milk, eggs, bread, jam, tea]")), "n3 caught up");
  }

  private KvNode start(String id, Path root, Map<String, InetSocketAddress> peers) {
    return KvNode.builder().nodeId(id).clusterId("demo").dataDirectory(root.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS)
        .listen(peers.get(id)).peers(peers).requestTimeout(Duration.ofSeconds(2)).start();
  }

  private void say(String what) {
    out.printf("%n%d. %s%n", ++step, what);
    out.flush();
  }

  private void show(Versions v) {
    out.println("    " + describe(v));
  }

  private static String describe(Versions v) {
    if (!v.isFound()) {
      return "not found, context " + v.context();
    }
    StringBuilder s = new StringBuilder();
    for (Version version : v.versions()) {
      s.append(s.length() == 0 ? "" : "  |  ").append(version.valueAsString()).append("  ").append(version.clock());
    }
    return s.toString();
  }

  private void check(boolean held, String what) {
    out.println("    " + (held ? "ok: " : "FAILED: ") + what);
    out.flush();
    if (!held) {
      failures.add("step " + step + ": " + what);
    }
  }
}
