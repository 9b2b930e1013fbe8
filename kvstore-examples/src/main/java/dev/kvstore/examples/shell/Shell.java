package dev.kvstore.examples.shell;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.examples.client.ClientSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The command loop of {@code kvstore shell} and {@code kvstore cluster}: {@code get KEY}, {@code put KEY
 * VALUE} (the value is the rest of the line), {@code delete KEY}, {@code status}, {@code help}, {@code quit},
 * plus any extra commands its caller adds (the cluster's {@code kill} and {@code start}). A {@code put} or
 * {@code delete} after a {@code get} of the same key uses that read's context. A failed command prints one
 * line and the loop goes on. Not thread-safe.
 */
public final class Shell {
  /** A command the caller adds: it gets the words after the command's name. */
  @FunctionalInterface
  public interface Extra {
    /**
     * Runs the command.
     *
     * @throws Exception a failure, printed as one line
     */
    void run(List<String> args) throws Exception;
  }

  private final ClientSession session;
  private final Supplier<List<String>> status;
  private final PrintWriter out;
  private final Map<String, Extra> extras = new LinkedHashMap<>();
  private final Map<String, String> help = new LinkedHashMap<>();

  /** A shell over {@code session}, printing {@code status}'s lines for {@code status}, to {@code out}. */
  public Shell(ClientSession session, Supplier<List<String>> status, PrintWriter out) {
    this.session = session;
    this.status = status;
    this.out = out;
    help.put("get KEY", "read a key: each sibling with its clock, and the context");
    help.put("put KEY VALUE", "write (causal when you read the key before); VALUE is the rest of the line");
    help.put("delete KEY", "delete a key (causal when you read it before)");
    help.put("status", "each node: up or down, ring share, keys, log counters, peers");
    help.put("help", "this list");
    help.put("quit", "leave (also: exit, Ctrl-D)");
  }

  /** Adds command {@code name} with its {@code usage} and {@code description} for help. */
  public Shell with(String name, String usage, String description, Extra command) {
    extras.put(name, command);
    help.put(usage, description);
    return this;
  }

  /** The command names, for completion. */
  public List<String> commandNames() {
    List<String> names = new ArrayList<>(List.of("get", "put", "delete", "status", "help", "quit", "exit"));
    names.addAll(extras.keySet());
    return names;
  }

  /**
   * Reads and runs commands until {@code quit} or the end of input.
   *
   * @throws IOException if the input cannot be read
   */
  public void run(LineSource in) throws IOException {
    if (in.interactive()) {
      out.println("Type 'help' for the commands, 'quit' to leave.");
      out.flush();
    }
    String line;
    while ((line = in.readLine("kvstore> ")) != null) {
      if (!execute(line.strip())) {
        return;
      }
    }
  }

  /** Runs one command line; false when it was {@code quit}. */
  boolean execute(String line) {
    if (line.isEmpty() || line.startsWith("#")) {
      return true;
    }
    String[] words = line.split("\\s+");
    String command = words[0];
    try {
      switch (command) {
        case "quit", "exit" -> {
          return false;
        }
        case "help" -> help.forEach((usage, what) -> out.printf("  %-16s %s%n", usage, what));
        case "get" -> session.get(arg(words, 1, "get KEY"), false);
        case "put" -> session.put(arg(words, 1, "put KEY VALUE"), rest(line, words, "put KEY VALUE"), null);
        case "delete" -> session.delete(arg(words, 1, "delete KEY"), null);
        case "status" -> status.get().forEach(out::println);
        default -> runExtra(command, words);
      }
    } catch (UsageException e) {
      out.println("usage: " + e.getMessage());
    } catch (KvStoreException | IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("error: interrupted");
      return false;
    } catch (Exception e) {
      out.println("error: " + e);
    }
    out.flush();
    return true;
  }

  private void runExtra(String command, String[] words) throws Exception {
    Extra extra = extras.get(command);
    if (extra == null) {
      throw new UsageException("unknown command '" + command + "'; type 'help' for the commands");
    }
    extra.run(Arrays.asList(words).subList(1, words.length));
  }

  private static String arg(String[] words, int index, String usage) {
    if (words.length <= index) {
      throw new UsageException(usage);
    }
    return words[index];
  }

  /** The text after the command and its key: a value may hold spaces. */
  private static String rest(String line, String[] words, String usage) {
    if (words.length < 3) {
      throw new UsageException(usage);
    }
    String afterCommand = line.substring(words[0].length()).stripLeading();
    return afterCommand.substring(words[1].length()).strip();
  }

  /** A command used the wrong way; its message is the usage. */
  private static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String usage) {
      super(usage, null, false, false);
    }
  }
}
