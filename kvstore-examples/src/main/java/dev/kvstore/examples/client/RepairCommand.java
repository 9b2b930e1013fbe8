package dev.kvstore.examples.client;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.KvClient;
import dev.kvstore.net.RepairReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore repair NODE}: asks a running node, through the client protocol, to run one anti-entropy round with
 * every other replica of every range it holds now, waits for it and prints what it did; exit 0 when every peer's
 * exchange completed, 1 otherwise (a peer unreachable, the node without anti-entropy, no answer in time).
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {"Run one anti-entropy round on a running node now: compare its hash trees with every other",
        "replica and exchange the keys that differ. Exit 0 when every exchange completed, 1 otherwise."})
public final class RepairCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  @Parameters(index = "0", paramLabel = "NODE", description = "The id of the node that runs the round.")
  String node;

  @Option(names = "--wait", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long to wait for the round, e.g. 30s, 10m (default ${DEFAULT-VALUE}).")
  Duration wait;

  @Override
  public Integer call() {
    if (wait.isZero() || wait.isNegative() || wait.compareTo(Duration.ofDays(1)) > 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--wait must be between 1 ms and 1 day, got " + wait);
    }
    if (!options.nodes().containsKey(node)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "'" + node + "' is not a node of the cluster; nodes: " + options.nodes().keySet());
    }
    PrintWriter out = spec.commandLine().getOut();
    try (KvClient client = options.connect()) {
      RepairReport r = client.repair(node, wait);
      out.printf("%s: %d exchanges, %d keys compared, %d sent, %d received, %d bytes sent%n", node, r.exchanges(),
          r.keysCompared(), r.keysSent(), r.keysReceived(), r.bytesSent());
      r.peersFailed().forEach((peer, why) -> out.printf("    with %s failed: %s%n", peer, why));
      out.flush();
      return r.peersFailed().isEmpty() ? 0 : 1;
    } catch (KvStoreException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("repair on " + node + " failed: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
