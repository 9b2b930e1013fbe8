package dev.kvstore.examples.shell;

import dev.kvstore.examples.client.ClientOptions;
import dev.kvstore.examples.client.ClientSession;
import dev.kvstore.examples.client.StatusCommand;
import dev.kvstore.net.KvClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore shell}: an interactive shell on a running cluster (JLine line editing, history and completion
 * at a terminal; commands read line by line from standard input otherwise, so it is scriptable).
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
    description = {"An interactive shell on a running cluster: get, put, delete, status, help, quit.",
        "Reads commands from standard input when it is not a terminal."})
public final class ShellCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  private final InputStream stdin;

  /** A shell on {@link System#in}. */
  public ShellCommand() {
    this(System.in);
  }

  /** A shell on {@code stdin}, never a terminal (tests). */
  public ShellCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (KvClient client = options.connect()) {
      Shell shell = new Shell(new ClientSession(client, out, true),
          () -> StatusCommand.lines(StatusCommand.ask(client, options.nodes().keySet())), out);
      try (LineSource in = lines(stdin, shell)) {
        shell.run(in);
      }
    }
    return 0;
  }

  /** A terminal when this process has one on both ends and reads {@link System#in}; plain lines otherwise. */
  public static LineSource lines(InputStream stdin, Shell shell) throws IOException {
    if (stdin == System.in && System.console() != null) {
      return new TerminalLines(shell.commandNames());
    }
    return new PlainLines(stdin);
  }
}
