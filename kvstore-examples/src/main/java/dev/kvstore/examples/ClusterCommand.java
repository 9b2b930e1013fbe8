package dev.kvstore.examples;

import dev.kvstore.examples.certs.CertsCommand;
import dev.kvstore.examples.client.ClientSession;
import dev.kvstore.examples.client.StatusCommand;
import dev.kvstore.examples.shell.LineSource;
import dev.kvstore.examples.shell.Shell;
import dev.kvstore.examples.shell.ShellCommand;
import dev.kvstore.net.KvClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore cluster --nodes N [--dir D]}: starts N node processes on free loopback ports (data and one log
 * file per node under D), prints how to reach them, and opens the shell on them with two more commands:
 * {@code kill NODE} (SIGKILL) and {@code start NODE}. Leaving the shell stops every node it started; if this
 * process dies, the nodes see their standard input end and stop too. With {@code --tls} every connection is mutual
 * TLS, with the certificates {@link CertsCommand#ensure} makes in {@code D/certs}. Not thread-safe.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"Start a local cluster (one process per node) and open a shell on it, with 'kill NODE'",
        "(SIGKILL) and 'start NODE'. Quitting stops every node."})
public final class ClusterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LocalClusterOptions local;

  @Option(names = "--tls",
      description = "Mutual TLS between the nodes and for clients, with certificates in DIR/certs (made by "
          + "'kvstore certs' if absent).")
  boolean tls;

  /** With {@code --tls}: the directory of the CA and the members' certificates; else null. */
  private Path certs;
  private final InputStream stdin;
  private final Map<String, NodeProcess> running = new LinkedHashMap<>();

  /** A cluster whose shell reads {@link System#in}. */
  public ClusterCommand() {
    this(System.in);
  }

  /** A cluster whose shell reads {@code stdin} (tests). */
  public ClusterCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws Exception {
    local.check(spec, 1, 9); // a usage error before anything starts
    int count = local.nodes();
    Path root = local.createRoot("kvstore-cluster");
    PrintWriter out = spec.commandLine().getOut();
    Map<String, InetSocketAddress> peers = LocalMachine.loopbackAddresses(count);
    int n = Math.min(3, count);
    List<String> nodeArgs = List.of("--n", String.valueOf(n), "--w", String.valueOf(Math.min(2, n)), "--r",
        String.valueOf(Math.min(2, n)), "--durability", local.durability());
    try {
      if (tls) {
        List<String> members = new java.util.ArrayList<>(peers.keySet());
        members.add("client");
        certs = CertsCommand.ensure(root.resolve("certs"), "kvstore", members);
      }
      for (String id : peers.keySet()) {
        start(id, peers, root, nodeArgs);
      }
      String cluster = NodeProcess.peerList(peers);
      out.printf("Started %d nodes (N=%d) under %s; logs in %s/<node>.log%n", count, n, root, root);
      out.printf("From another terminal: export KVSTORE_CLUSTER=%s%s%s%n", cluster,
          tls ? " KVSTORE_TLS_DIR=" + certs.resolve("client") : "", n == 3 ? "" : "  (and pass --n " + n + ")");
      if (tls) {
        out.printf("Mutual TLS on: CA and certificates in %s (kvstore certs)%n", certs);
      }
      out.flush();
      KvClient.Builder clientBuilder = KvClient.builder().nodes(peers).replication(n, Math.min(2, n), Math.min(2, n));
      if (tls) {
        clientBuilder.tls(certs.resolve("client"));
      }
      try (KvClient client = clientBuilder.connect()) {
        Shell shell = new Shell(new ClientSession(client, out, true),
            () -> StatusCommand.lines(StatusCommand.ask(client, peers.keySet())), out)
            .with("kill", "kill NODE", "kill a node's process with SIGKILL", args -> kill(node(args, peers), out))
            .with("start", "start NODE", "start a killed node again from its data directory",
                args -> restart(node(args, peers), peers, root, nodeArgs, out))
            .with("pause", "pause NODE", "stop a node's process with SIGSTOP: it hangs with its connections open",
                args -> pause(node(args, peers), out))
            .with("resume", "resume NODE", "let a paused node run again (SIGCONT)", args -> resume(node(args, peers), out));
        try (LineSource in = ShellCommand.lines(stdin, shell)) {
          shell.run(in);
        }
      }
    } finally {
      running.values().forEach(NodeProcess::stop);
      out.printf("Stopped %d nodes.%n", running.size());
      out.flush();
      if (local.temporary()) {
        LocalMachine.deleteTree(root);
      }
    }
    return 0;
  }

  private void start(String id, Map<String, InetSocketAddress> peers, Path root, List<String> nodeArgs)
      throws IOException, InterruptedException {
    List<String> args = new java.util.ArrayList<>(nodeArgs);
    if (certs != null) {
      args.addAll(List.of("--tls-dir", certs.resolve(id).toString()));
    }
    NodeProcess p = NodeProcess.start(id, peers, root, args, List.of("-Xmx256m"));
    running.put(id, p);
    p.awaitReady(Duration.ofSeconds(60));
  }

  private static String node(List<String> args, Map<String, InetSocketAddress> peers) {
    if (args.size() != 1 || !peers.containsKey(args.get(0))) {
      throw new IllegalArgumentException("name one node of " + peers.keySet());
    }
    return args.get(0);
  }

  private void kill(String id, PrintWriter out) throws InterruptedException {
    NodeProcess p = running.get(id);
    if (p == null || !p.isAlive()) {
      throw new IllegalArgumentException("node " + id + " is not running");
    }
    p.kill();
    out.println("killed " + id + " (SIGKILL)");
  }

  private void pause(String id, PrintWriter out) throws IOException, InterruptedException {
    NodeProcess p = running.get(id);
    if (p == null || !p.isAlive()) {
      throw new IllegalArgumentException("node " + id + " is not running");
    }
    if (p.isPaused()) {
      throw new IllegalArgumentException("node " + id + " is paused already");
    }
    p.pause();
    out.println("paused " + id + " (SIGSTOP): it holds its connections and answers nothing; requests that ask it "
        + "wait for their timeout, then go to other replicas");
  }

  private void resume(String id, PrintWriter out) throws IOException, InterruptedException {
    NodeProcess p = running.get(id);
    if (p == null || !p.isAlive() || !p.isPaused()) {
      throw new IllegalArgumentException("node " + id + " is not paused");
    }
    p.resume();
    out.println("resumed " + id + " (SIGCONT)");
  }

  private void restart(String id, Map<String, InetSocketAddress> peers, Path root, List<String> nodeArgs,
      PrintWriter out) throws IOException, InterruptedException {
    NodeProcess p = running.get(id);
    if (p != null && p.isAlive()) {
      throw new IllegalArgumentException("node " + id + " is " + (p.isPaused() ? "paused" : "running") + "; kill it first");
    }
    start(id, peers, root, nodeArgs);
    out.println("started " + id + " again from " + root.resolve(id));
  }
}
