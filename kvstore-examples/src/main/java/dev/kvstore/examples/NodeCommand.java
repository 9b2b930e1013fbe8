package dev.kvstore.examples;

import dev.kvstore.core.Durability;
import dev.kvstore.core.EngineType;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.KvNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code kvstore node}: runs one cluster node in this process as a service (logging its health every 10 s at INFO
 * when peers or hints changed), until the process gets SIGTERM or
 * SIGINT (a shutdown hook closes the node), whatever its standard input is. With {@code --stop-on-stdin-eof}
 * it also stops, and exits 0, when its standard input ends: the way a parent process (the bench, a test)
 * stops its children. Once the node serves, it prints one line {@code ready <id> <host:port>} to standard
 * output, so a parent process knows it can connect.
 *
 * <p>Options come from flags and, with {@code --config FILE}, from a properties file whose keys are the
 * long option names without dashes ({@code id}, {@code listen}, {@code peers}, {@code data}, ...); a flag
 * overrides the file. {@code --log-file} and {@code --log-level} configure the SLF4J simple logger (they take
 * effect when the process's logging was not configured yet, as in {@code ./kvstore node}).
 *
 * <p>Bad flags are a usage error (exit code 2); a node that cannot start (port in use, data directory
 * locked) exits 1 with the reason. Not thread-safe: one instance runs one node once, except {@link #stop()}.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Run one node of a cluster until the process gets SIGTERM or SIGINT.",
        "Prints 'ready <id> <host:port>' once it serves.",
        "Example: kvstore node --id n1 --listen 127.0.0.1:7001 --data data/n1 "
            + "--peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003"})
public final class NodeCommand implements Callable<Integer> {
  /** The options a config file may set (long names without dashes); others are refused. */
  static final Set<String> CONFIG_KEYS = Set.of("id", "listen", "peers", "data", "cluster-id", "n", "w", "r",
      "durability", "engine", "log-file", "log-level", "tls-dir");

  @Spec CommandSpec spec;

  @Option(names = "--id", paramLabel = "ID", description = "This node's id (1 to 64 of [A-Za-z0-9_-]). Required.")
  String id;

  @Option(names = "--listen", paramLabel = "HOST:PORT", converter = AddressConverter.class,
      description = "host:port to listen on for peers and clients, e.g. 127.0.0.1:7001. Required.")
  InetSocketAddress listen;

  @Option(names = "--peers", split = ",", paramLabel = "ID=HOST:PORT",
      description = "Every node of the cluster, this one included: id=host:port,id=host:port,... Required.")
  List<String> peerList = new ArrayList<>();

  /** {@link #peerList} parsed and checked by {@link #checkRequired()}. */
  Map<String, InetSocketAddress> peers = new LinkedHashMap<>();

  @Option(names = "--data", paramLabel = "DIR", description = "Data directory of this node (created if absent). Required.")
  Path data;

  @Mixin ClusterSettings cluster;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "always", converter = DurabilityConverter.class,
      description = "always | never | every:<duration> such as every:10ms (default ${DEFAULT-VALUE}).")
  Durability durability;

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "rocksdb", converter = EngineConverter.class,
      description = "rocksdb | memory (default ${DEFAULT-VALUE}).")
  EngineType engine;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file of options (keys: " + "id, listen, peers, data, cluster-id, n, w, r, durability, "
          + "engine, log-file, log-level, tls-dir); flags override it.")
  Path config;

  @Option(names = "--tls-dir", paramLabel = "DIR",
      description = "Mutual TLS with ca.pem, cert.pem and key.pem from DIR, as 'kvstore certs' writes them "
          + "(default: plain TCP). The files are reloaded when they change.")
  Path tlsDir;

  @Option(names = "--log-file", paramLabel = "FILE", description = "Write the log to FILE instead of standard error.")
  Path logFile;

  @Option(names = "--log-level", paramLabel = "LEVEL", converter = LogLevelConverter.class,
      description = "trace | debug | info | warn | error (default info).")
  String logLevel;

  @Option(names = "--stop-on-stdin-eof",
      description = "Also stop (and exit 0) when standard input ends: for a parent process that runs the node.")
  boolean stopOnStdinEof;

  private final InputStream stdin;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** A node command that reads {@link System#in} when {@code --stop-on-stdin-eof} is given. */
  public NodeCommand() {
    this(System.in);
  }

  /** A node command that reads {@code stdin} when {@code --stop-on-stdin-eof} is given (tests pass their own). */
  public NodeCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (config != null) {
      return withConfig();
    }
    checkRequired();
    configureLogging();
    KvNode node;
    try {
      Directories.check(data);
      node = start();
    } catch (KvStoreException | IOException e) {
      spec.commandLine().getErr().println("kvstore node: " + id + " cannot start: " + Errors.describe(e));
      spec.commandLine().getErr().flush();
      return 1;
    }
    Thread hook = new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "kvstore-node-" + id + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    HealthReporter health = new HealthReporter(node, java.time.Duration.ofSeconds(10));
    PrintWriter out = spec.commandLine().getOut();
    InetSocketAddress bound = node.address();
    out.println("ready " + id + " " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
    out.flush();
    try {
      if (stopOnStdinEof) {
        drain(stdin);
      } else {
        stopped.await();
      }
    } finally {
      health.close();
      node.close();
      removeHook(hook);
    }
    return 0;
  }

  /** Stops a node that {@link #call()} runs (as SIGTERM would); for tests and embedding parents. */
  void stop() {
    stopped.countDown();
  }

  private void checkRequired() {
    List<String> missing = new ArrayList<>();
    if (id == null) {
      missing.add("--id");
    }
    if (listen == null) {
      missing.add("--listen");
    }
    if (peerList.isEmpty()) {
      missing.add("--peers");
    }
    if (data == null) {
      missing.add("--data");
    }
    if (!missing.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "missing required option" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing) + " (give them as flags or in --config FILE)");
    }
    peers = PeerList.parse(spec.commandLine(), peerList, id, listen);
    PeerList.checkLocal(spec.commandLine(), listen);
  }

  /** Parses again with the file's options before the command line's, so that flags override the file. */
  private int withConfig() throws IOException {
    Properties file = new Properties();
    try (Reader in = Files.newBufferedReader(config)) {
      file.load(in);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "--config: no such file: " + config);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--config: cannot read " + config + ": " + e.getMessage());
    }
    List<String> args = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(file.stringPropertyNames())) {
      if (!CONFIG_KEYS.contains(key)) {
        throw new ParameterException(spec.commandLine(), "--config " + config + ": unknown key '" + key
            + "' (known: " + String.join(", ", new java.util.TreeSet<>(CONFIG_KEYS)) + ")");
      }
      if (!spec.commandLine().getParseResult().hasMatchedOption("--" + key)) {
        args.add("--" + key);
        args.add(file.getProperty(key).trim());
      }
    }
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    for (int i = 0; i < original.size(); i++) {
      String arg = original.get(i);
      if (arg.equals("--config")) {
        i++;
      } else if (!arg.startsWith("--config=")) {
        args.add(arg);
      }
    }
    NodeCommand again = new NodeCommand(stdin);
    CommandLine cli = new CommandLine(again);
    cli.setOut(spec.commandLine().getOut());
    cli.setErr(spec.commandLine().getErr());
    cli.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
    cli.setParameterExceptionHandler(spec.commandLine().getParameterExceptionHandler());
    return cli.execute(args.toArray(String[]::new));
  }

  /** Sets the SLF4J simple logger's properties; they apply when the first logger is created. */
  private void configureLogging() {
    if (logFile != null) {
      Path parent = logFile.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new ParameterException(spec.commandLine(), "--log-file: the directory " + parent + " does not exist");
      }
      System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    }
    if (logLevel != null) {
      System.setProperty(KvstoreCommand.LOG_LEVEL_PROPERTY, logLevel);
    } else if (KvstoreCommand.quietByDefault) {
      System.setProperty(KvstoreCommand.LOG_LEVEL_PROPERTY, "info"); // a service logs what it does
    }
  }

  private KvNode start() {
    try {
      var builder = cluster.applyTo(KvNode.builder()).nodeId(id).dataDirectory(data).listen(listen).peers(peers)
          .durability(durability).engine(engine);
      if (tlsDir != null) {
        builder.tls(tlsDir);
      }
      return builder.start();
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

  /** Accepts the SLF4J simple logger's levels, in any case. */
  static final class LogLevelConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String level = value.trim().toLowerCase(Locale.ROOT);
      if (!Set.of("trace", "debug", "info", "warn", "error").contains(level)) {
        throw new TypeConversionException("log level must be trace, debug, info, warn or error, got '" + value + "'");
      }
      return level;
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
  public static final class EngineConverter implements ITypeConverter<EngineType> {
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
