package dev.kvstore.examples;

import dev.kvstore.examples.client.DeleteCommand;
import dev.kvstore.examples.client.GetCommand;
import dev.kvstore.examples.client.PutCommand;
import dev.kvstore.examples.client.StatusCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kvstore} command line: the example program started by the {@code ./kvstore} script.
 *
 * <p>Each job is a subcommand. A usage error (unknown command or option, bad value, no command) prints one
 * line naming it and "Try 'kvstore --help'", and exits 2; a runtime failure prints one line and exits 1 (the
 * stack trace only with {@code --verbose}). See {@link Errors}.
 */
@Command(
    name = "kvstore",
    mixinStandardHelpOptions = true,
    version = "kvstore 0.1.0-SNAPSHOT",
    description = "An embeddable, Dynamo-style distributed key-value store: examples and tools.",
    subcommands = {DemoCommand.class, NodeCommand.class, GetCommand.class, PutCommand.class, DeleteCommand.class,
        StatusCommand.class, dev.kvstore.examples.client.RepairCommand.class,
        dev.kvstore.examples.shell.ShellCommand.class, ClusterCommand.class,
        ClocksCommand.class, dev.kvstore.examples.certs.CertsCommand.class, dev.kvstore.examples.bench.BenchCommand.class,
        JmhCommand.class,
        CommandLine.HelpCommand.class})
public final class KvstoreCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "On a failure, print its stack trace too.")
  boolean verbose;

  /** The SLF4J simple logger's level property. */
  static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  /** Netty's buffer leak detector's level property. */
  static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

  /**
   * Runs the command line and exits with its exit code. A client command logs only warnings (its output is the
   * answer); {@code kvstore node} raises the level back to info unless told otherwise. Netty's leak detector is off
   * unless the property sets it (as production services run Netty: its sampling records a stack trace for one
   * buffer in 128, about 2% of a node's CPU under load); the test suite keeps it on.
   */
  public static void main(String[] args) {
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
      quietByDefault = true;
    }
    if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
      System.setProperty(LEAK_DETECTION_PROPERTY, "disabled");
    }
    System.exit(commandLine().execute(args));
  }

  /** Whether {@link #main} chose the log level (so a node may choose its own). */
  static volatile boolean quietByDefault;

  /** Builds the command line with every subcommand registered and the error handling of {@link Errors}. */
  public static CommandLine commandLine() {
    return Errors.install(new CommandLine(new KvstoreCommand()));
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "no command given");
  }
}
