package dev.kvstore.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kvstore} command line: the example program started by the {@code ./kvstore} script.
 *
 * <p>Each job is a subcommand; with none, the usage is printed.
 */
@Command(
    name = "kvstore",
    mixinStandardHelpOptions = true,
    version = "kvstore 0.1.0-SNAPSHOT",
    description = "An embeddable, Dynamo-style distributed key-value store: examples and tools.",
    subcommands = {DemoCommand.class, NodeCommand.class, ClocksCommand.class, dev.kvstore.examples.bench.BenchCommand.class, JmhCommand.class, CommandLine.HelpCommand.class})
public final class KvstoreCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Builds the command line with every subcommand registered (used by {@link #main} and tests). */
  public static CommandLine commandLine() {
    return new CommandLine(new KvstoreCommand());
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }
}
