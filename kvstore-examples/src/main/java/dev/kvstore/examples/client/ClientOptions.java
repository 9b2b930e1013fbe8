package dev.kvstore.examples.client;

import dev.kvstore.examples.ClusterSettings;
import dev.kvstore.net.KvClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every client command shares: which cluster ({@code --cluster} or the environment variable
 * {@code KVSTORE_CLUSTER}), its id and N, TLS ({@code --tls-dir} or {@code KVSTORE_TLS_DIR}), the quorum of this request ({@code --w}, {@code --r}) and the timeout.
 * A picocli mixin; not thread-safe.
 */
public final class ClientOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--cluster", paramLabel = "ID=HOST:PORT,...", defaultValue = "${env:KVSTORE_CLUSTER}",
      description = "Every node of the cluster: id=host:port,... (default: $KVSTORE_CLUSTER).")
  String cluster;

  @Mixin ClusterSettings settings;

  @Option(names = "--timeout", defaultValue = "2s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long the coordinating node waits for the quorum, e.g. 500ms, 2s (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--tls-dir", paramLabel = "DIR", defaultValue = "${env:KVSTORE_TLS_DIR}",
      description = "Mutual TLS with ca.pem, cert.pem and key.pem from DIR, as 'kvstore certs' writes them "
          + "(default: $KVSTORE_TLS_DIR, else plain TCP).")
  Path tlsDir;

  /** The nodes named by {@code --cluster} or {@code KVSTORE_CLUSTER}; a usage error when missing or malformed. */
  public Map<String, InetSocketAddress> nodes() {
    try {
      return ClusterAddresses.parse(cluster);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * Connects a client with these options, runs {@code command} on a session printing to {@code spec}'s output,
   * and closes the client.
   *
   * @return the command's exit code
   */
  public int run(CommandSpec spec, java.util.function.ToIntFunction<ClientSession> command) {
    try (KvClient client = connect()) {
      return command.applyAsInt(new ClientSession(client, spec.commandLine().getOut(), false));
    }
  }

  /** Connects a client with these options; a usage error for options that do not fit together. */
  public KvClient connect() {
    Map<String, InetSocketAddress> nodes = nodes();
    try {
      KvClient.Builder builder =
          settings.applyTo(KvClient.builder().nodes(nodes), nodes.size()).requestTimeout(timeout);
      if (tlsDir != null) {
        builder.tls(tlsDir);
      }
      return builder.connect();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
