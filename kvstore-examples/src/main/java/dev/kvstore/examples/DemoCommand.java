package dev.kvstore.examples;

import dev.kvstore.core.Context;
import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import dev.kvstore.examples.certs.CertsCommand;
import dev.kvstore.net.KvClient;
import dev.kvstore.net.KvNode;
import dev.kvstore.net.QuorumMode;
import dev.kvstore.net.NodeStatus;
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
 * {@code kvstore demo}: a tour of a Dynamo-style store on a real 3-node cluster on this machine (real sockets
 * on 127.0.0.1, RocksDB, fsync): n1 and n2 run in this JVM, n3 in a child process so that the failure step can
 * crash it with SIGKILL. Each step says what it shows, shows each value it writes, and checks what it claims;
 * the exit code is 0 only when every check held. The story goes to standard output; the nodes' logs go to
 * files under the demo's directory (their paths are printed).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local 3-node cluster and walk through versions, siblings, a node crash and its recovery.")
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", description = "Data directories and logs of the three nodes (default: a temporary "
      + "directory, deleted when every step held).")
  Path dir;

  @Option(names = "--tls", description = "Mutual TLS on every connection, with certificates made by 'kvstore certs' "
      + "in DIR/certs if absent.")
  boolean tls;

  /** With {@code --tls}: where the CA and the members' certificates are; else null. */
  private Path certs;
  private PrintWriter out;
  private int step;
  private final List<String> failures = new ArrayList<>();
  private final java.util.Set<String> explainedActors = new java.util.HashSet<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Path root = dir != null ? Directories.create(dir) : Files.createTempDirectory("kvstore-demo");
    logTo(root.resolve("demo.log"));
    Map<String, InetSocketAddress> peers = LocalMachine.loopbackAddresses(3);
    Map<String, KvNode> nodes = new LinkedHashMap<>();
    NodeProcess n3 = null;
    try {
      if (tls) {
        certs = CertsCommand.ensure(root.resolve("certs"), "demo", List.of("n1", "n2", "n3", "client"));
        out.printf("Mutual TLS on every connection: CA and certificates in %s (kvstore certs)%n", certs);
      }
      say("Starting a 3-node cluster on 127.0.0.1 (N=3 replicas, W=2 write acks, R=2 read replies, fsync on every write;"
          + " strict quorum and no hinted handoff, so that quorums and read repair show alone)");
      for (String id : List.of("n1", "n2")) {
        nodes.put(id, start(id, root, peers));
        out.printf("    %s listening on %s, data in %s (this process)%n", id, NodeProcess.hostPort(peers.get(id)),
            root.resolve(id));
      }
      List<String> n3Args = new ArrayList<>(List.of("--cluster-id", "demo"));
      if (tls) {
        n3Args.addAll(List.of("--tls-dir", certs.resolve("n3").toString()));
      }
      n3 = NodeProcess.start("n3", peers, root, n3Args, List.of("-Xmx256m"));
      n3.awaitReady(Duration.ofSeconds(60));
      out.printf("    n3 listening on %s, data in %s (a separate process, so that it can crash)%n",
          NodeProcess.hostPort(peers.get("n3")), root.resolve("n3"));
      out.printf("    logs: %s (n1, n2) and %s (n3)%n", root.resolve("demo.log"), n3.log());
      tour(nodes, n3, root, peers);
    } finally {
      nodes.values().forEach(KvNode::close);
      if (n3 != null) {
        n3.stop();
      }
    }
    out.println();
    if (failures.isEmpty()) {
      out.println("All " + step + " steps held.");
      out.flush();
      if (dir == null) {
        LocalMachine.deleteTree(root);
      }
      return 0;
    }
    out.println("FAILED checks: " + failures + " (data and logs kept in " + root + ")");
    out.flush();
    return 1;
  }

  /**
   * Sends this process's log to {@code file} when {@code kvstore} chose the log level (the SLF4J simple logger
   * reads these properties when the first logger is created, which has not happened yet in a fresh process).
   */
  private static void logTo(Path file) {
    if (KvstoreCommand.quietByDefault) {
      System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty(KvstoreCommand.LOG_LEVEL_PROPERTY, "info");
    }
  }

  private void tour(Map<String, KvNode> nodes, NodeProcess n3Process, Path root, Map<String, InetSocketAddress> peers)
      throws InterruptedException {
    KvNode n1 = nodes.get("n1");
    KvNode n2 = nodes.get("n2");

    say("Write cart=[milk] through n1, read it through n2: a version is its dot (actor,counter) and the causal past it was written after");
    wrote("[milk]", "n1", n1.put("cart", "[milk]"));
    Versions v = n2.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk]")), "n2 reads what n1 wrote");

    say("Read, then write with the context you read: the new version supersedes the old one (its past holds the old dot)");
    Context ctx = n2.get("cart").context();
    wrote("[milk, eggs]", "n2", n2.put("cart", "[milk, eggs]", ctx));
    v = n1.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk, eggs]")), "one value, the causal successor");

    say("Two clients read the same version and both write through the same node n1: neither write is lost, "
        + "they become siblings with two dots of n1");
    Context both = n1.get("cart").context();
    wrote("[milk, eggs, bread]", "n1", n1.put("cart", "[milk, eggs, bread]", both));
    wrote("[milk, eggs, jam]", "n1", n1.put("cart", "[milk, eggs, jam]", both));
    v = n2.get("cart");
    show(v);
    check(v.versions().size() == 2, "two concurrent siblings");
    if (v.versions().size() == 2) {
      Version a = v.versions().get(0);
      Version b = v.versions().get(1);
      out.printf("    compare(%s, %s) = %s%n", a.history(), b.history(), a.compare(b));
      check(a.writer().equals(b.writer()), "one coordinator minted both dots: " + a.dot() + " and " + b.dot());
      check(a.isConcurrentWith(b), "neither write had seen the other's dot: concurrent");
      out.printf("    (joined into plain vector clocks they would read %s and %s, compared %s: the lossy view)%n",
          a.joinedClock(), b.joinedClock(), a.joinedClock().compare(b.joinedClock()));
    }

    say("The reader resolves the siblings (a union of both carts) and writes with the context that saw both");
    wrote("[milk, eggs, bread, jam]", "n1", n1.put("cart", "[milk, eggs, bread, jam]", v.context()));
    v = n2.get("cart");
    show(v);
    check(v.strings().equals(List.of("[milk, eggs, bread, jam]")), "siblings resolved into one value");

    say("Crash n3 with SIGKILL (no shutdown, nothing saved but what was fsynced). A write asking for W=3 acks is refused");
    String oldIncarnation = remoteActor(peers, "n3");
    n3Process.kill();
    out.println("    n3's process (actor " + oldIncarnation + ") was killed");
    String coffee = "[milk, eggs, bread, jam, coffee]";
    out.println("    writing " + coffee + " through n1 with W=3 ...");
    try {
      n1.withQuorum(3, 2).put("cart", coffee, n1.get("cart").context());
      check(false, "a W=3 write must fail with one node down");
    } catch (InsufficientReplicasException e) {
      out.println("    refused: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      check(e.answered() == 2 && e.required() == 3, "2 of 3 acks, so the write is reported as failed");
    }
    out.println("    Refused does not mean undone: a Dynamo-style store has no rollback, so n1 and n2 keep " + coffee);
    out.println("    as an unacknowledged version; a read may return it, and the next write with that read's context");
    out.println("    supersedes it.");

    say("Writes still succeed with W=2 (two durable acks of three): read (the unacknowledged coffee shows), then "
        + "replace coffee by tea with that read's context");
    Versions before = n1.get("cart");
    show(before);
    String tea = "[milk, eggs, bread, jam, tea]";
    wrote(tea, "n1", n1.put("cart", tea, before.context()));
    check(n2.get("cart").strings().equals(List.of(tea)), "n2 serves the write made while n3 was down");

    say("Restart n3 from its data directory (here, in this process): its own copy is stale, it missed the writes");
    KvNode back = start("n3", root, peers);
    nodes.put("n3", back);
    NodeStatus status = back.status();
    out.printf("    n3 is back as actor %s. It was killed, so it did not close cleanly: it starts a new incarnation%n",
        status.actorId());
    out.printf("    (before: %s). Versions it writes from now on carry the new actor id, so they can never reuse a%n",
        oldIncarnation);
    out.println("    counter its old incarnation may have issued before the crash for a different value.");
    explainedActors.add("n3");
    check(!status.actorId().equals(oldIncarnation), "n3 has a new incarnation");
    Versions stale = back.localVersions("cart");
    out.println("    n3's own replica: " + describe(stale));
    check(stale.strings().equals(List.of("[milk, eggs, bread, jam]")), "n3 kept what it had fsynced, and missed coffee and tea");

    say("A read through n3 merges the replicas (R=2) and repairs n3 (read repair)");
    v = back.get("cart");
    show(v);
    check(v.strings().contains(tea), "the read returns the latest write");
    for (int poll = 0; poll < 500 && !back.localVersions("cart").strings().equals(List.of(tea)); poll++) {
      Thread.sleep(20); // the repair is asynchronous: wait up to 10 s for it to land
    }
    Versions repaired = back.localVersions("cart");
    out.println("    n3's own replica now: " + describe(repaired));
    check(repaired.strings().equals(List.of(tea)), "n3 caught up");
  }

  /** The actor id of a node in another process, asked through the client protocol. */
  private String remoteActor(Map<String, InetSocketAddress> peers, String node) {
    KvClient.Builder builder = KvClient.builder().clusterId("demo").nodes(peers);
    if (certs != null) {
      builder.tls(certs.resolve("client"));
    }
    try (KvClient client = builder.connect()) {
      return client.status(node).actorId();
    }
  }

  private void wrote(String value, String via, Context context) {
    out.printf("    wrote %s through %s%n", value, via);
    out.flush();
  }

  private KvNode start(String id, Path root, Map<String, InetSocketAddress> peers) {
    var builder = KvNode.builder().nodeId(id).clusterId("demo").dataDirectory(root.resolve(id))
        .engine(EngineType.ROCKSDB).durability(Durability.ALWAYS)
        .listen(peers.get(id)).peers(peers).requestTimeout(Duration.ofSeconds(2))
        .quorumMode(QuorumMode.STRICT).hintedHandoff(false);
    if (certs != null) {
      builder.tls(certs.resolve(id));
    }
    return builder.start();
  }

  private void say(String what) {
    out.printf("%n%d. %s%n", ++step, what);
    out.flush();
  }

  private void show(Versions v) {
    out.println("    read: " + describe(v));
    explainActors(v);
  }

  /** The first time an actor id appears, say what its two parts are. */
  private void explainActors(Versions v) {
    for (Version version : v.versions()) {
      for (String actor : version.joinedClock().nodes()) {
        String node = actor.substring(0, Math.max(0, actor.indexOf('.')));
        if (!node.isEmpty() && explainedActors.isEmpty()) {
          out.printf("    (%s is an actor: node %s, incarnation %s. A node starts a new incarnation when its data%n"
              + "    directory is new or it did not shut down cleanly, so a node that lost its disk never reuses a%n"
              + "    counter.)%n", actor, node, actor.substring(node.length() + 1));
        }
        explainedActors.add(node);
      }
    }
  }

  private static String describe(Versions v) {
    if (!v.isFound()) {
      return "not found, context " + v.context();
    }
    StringBuilder s = new StringBuilder();
    for (Version version : v.versions()) {
      s.append(s.length() == 0 ? "" : "  |  ").append(version.valueAsString()).append("  ").append(version.history());
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
