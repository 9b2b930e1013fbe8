package dev.kvstore.examples;

import dev.kvstore.net.KvClient;
import dev.kvstore.net.KvNodeBuilder;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The cluster options a node, a client and the cluster benchmark share: the cluster's id, its N, and the W and R
 * of requests. A picocli mixin (one set of names, defaults and checks for every command); not thread-safe.
 */
public final class ClusterSettings {
  @Option(names = "--cluster-id", defaultValue = "kvstore", description = "Cluster id (default ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--n", defaultValue = "3", description = "Replicas per key: the cluster's N (default ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--w", defaultValue = "2", description = "Write acks a write needs: W (default ${DEFAULT-VALUE}).")
  int w;

  @Option(names = "--r", defaultValue = "2", description = "Read replies a read needs: R (default ${DEFAULT-VALUE}).")
  int r;

  /** The cluster id given (or the default). */
  public String clusterId() {
    return clusterId;
  }

  /** {@code builder} with this cluster id, N, W and R. */
  public KvNodeBuilder applyTo(KvNodeBuilder builder) {
    return builder.clusterId(clusterId).replication(n, w, r);
  }

  /** {@code builder} with this cluster id, W and R, and N capped at the {@code nodes} the client knows. */
  public KvClient.Builder applyTo(KvClient.Builder builder, int nodes) {
    return builder.clusterId(clusterId).replication(Math.min(n, nodes), w, r);
  }

  /** The flags that give a {@code kvstore node} process these settings. */
  public List<String> nodeFlags() {
    return List.of("--cluster-id", clusterId, "--n", String.valueOf(n), "--w", String.valueOf(w), "--r",
        String.valueOf(r));
  }

  /**
   * A usage error unless {@code 1 <= W, R <= N <= nodes}.
   *
   * @throws ParameterException naming the options when they do not fit
   */
  public void check(CommandSpec spec, int nodes) {
    if (n < 1 || n > nodes || w < 1 || w > n || r < 1 || r > n) {
      throw new ParameterException(spec.commandLine(), "need 1 <= --w, --r <= --n <= " + nodes
          + " (the nodes), got N=" + n + " W=" + w + " R=" + r);
    }
  }

  /** {@code N=3 W=2 R=2}. */
  @Override
  public String toString() {
    return "N=" + n + " W=" + w + " R=" + r;
  }
}
