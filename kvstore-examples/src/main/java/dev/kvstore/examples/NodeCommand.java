package dev.kvstore.examples;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.KvNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code kvstore node}: runs one cluster node in this process until standard input ends or the process is
 * terminated. Once the node serves, it prints one line {@code ready <id> <host:port>} to standard output, so
 * a parent process (a script, {@code kvstore bench cluster}) knows it can connect. On end of input it closes
 * the node and exits 0; on SIGTERM a shutdown hook closes it. Bad flags are a usage error (exit code 2); a
 * node that cannot start (port in use, data directory locked) exits 1 with the reason.
 *
 * <p>Not thread-safe: one instance runs one node once.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Run one node of a cluster until standard input ends or the process gets SIGTERM.",
        "Prints 'ready <id> <host:port>' once it serves."})
public final class NodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--id", required = true, paramLabel = "ID", description = "This node's id (1 to 64 of [A-Za-z0-9_-]).")
  String id;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = AddressConverter.class,
      description = "host:port to listen on for peers and clients, e.g. 127.0.0.1:7001.")
  InetSocketAddress listen;

  @Option(names = "--peers", required = true, split = ",", paramLabel = "ID=HOST:PORT", converter = {PlainConverter.class, AddressConverter.class},
      description = "Every node of the cluster, this one included: id=host:port,id=host:port,...")
  Map<String, InetSocketAddress> peers = new LinkedHashMap<>();

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory of this node (created if absent).")
  Path data;

  @Option(names = "--cluster-id", defaultValue = "kvstore", description = "Cluster id (default ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--n", defaultValue = "3", description = "Replicas per key (default ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--w", defaultValue = "2", description = "Write acks (default ${DEFAULT-VALUE}).")
  int w;

  @Option(names = "--r", defaultValue = "2", description = "Read replies (default ${DEFAULT-VALUE}).")
  int r;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "always", converter = DurabilityConverter.class,
      description = "always | never | every:<duration> such as every:10ms (default ${DEFAULT-VALUE}).")
  Durability durability;

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "rocksdb", converter = EngineConverter.class,
      description = "rocksdb | memory (default ${DEFAULT-VALUE}).")
  EngineType engine;

  private final InputStream stdin;

  /** A node command that runs until {@link System#in} ends. */
  public NodeCommand() {
    this(System.in);
  }

  /** A node command that runs until {@code stdin} ends (tests pass a stream of their own). */
  public NodeCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws IOException {
    KvNode node;
    try {
      node = start();
    } catch (KvStoreException e) {
      spec.commandLine().getErr().println("kvstore node: " + id + " cannot start: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    Thread hook = new Thread(node::close, "kvstore-node-" + id + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    InetSocketAddress bound = node.address();
    out.println("ready " + id + " " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
    out.flush();
    try {
      drain(stdin);
    } finally {
      node.close();
      removeHook(hook);
    }
    return 0;
  }

  private KvNode start() {
    try {
      return KvNode.builder().nodeId(id).clusterId(clusterId).dataDirectory(data).listen(listen).peers(peers)
          .replication(n, w, r).durability(durability).engine(engine).start();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Reads until end of input: the parent closing our standard input is the signal to stop. */
  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[256];
    while (in.read(buffer) != -1) {
      // input is ignored; only its end matters
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting and runs the hook itself; closing twice is harmless
    }
  }

  /** Parses {@code host:port}; the port may be 0 (any free port). */
  static final class AddressConverter implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
      int colon = value.lastIndexOf(':');
      if (colon <= 0 || colon == value.length() - 1) {
        throw new TypeConversionException("expected host:port, got '" + value + "'");
      }
      int port;
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("port must be a number, got '" + value.substring(colon + 1) + "'");
      }
      if (port < 0 || port > 65_535) {
        throw new TypeConversionException("port must be between 0 and 65535, got " + port);
      }
      InetSocketAddress address = new InetSocketAddress(value.substring(0, colon), port);
      if (address.isUnresolved()) {
        throw new TypeConversionException("cannot resolve host '" + value.substring(0, colon) + "'");
      }
      return address;
    }
  }

  /** Keeps a map key as it is. */
  static final class PlainConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return value;
    }
  }

  /** Parses {@code always}, {@code never} or {@code every:<duration>}. */
  static final class DurabilityConverter implements ITypeConverter<Durability> {
    @Override
    public Durability convert(String value) {
      try {
        return Durability.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses {@code rocksdb} or {@code memory}, in any case. */
  static final class EngineConverter implements ITypeConverter<EngineType> {
    @Override
    public EngineType convert(String value) {
      try {
        return EngineType.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("engine must be rocksdb or memory, got '" + value + "'");
      }
    }
  }
}
