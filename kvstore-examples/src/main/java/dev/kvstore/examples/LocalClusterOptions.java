package dev.kvstore.examples;

import dev.kvstore.core.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of the commands that start node processes on this machine ({@code kvstore cluster}, {@code kvstore
 * bench cluster}): how many, where their data and logs go, and their durability. A picocli mixin; not
 * thread-safe.
 */
public final class LocalClusterOptions {
  @Option(names = "--nodes", defaultValue = "3", description = "Node processes to start (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the nodes keep data and logs (default: a temporary directory, deleted after).")
  Path dir;

  @Option(names = "--durability", defaultValue = "always",
      description = "The nodes' durability: always | never | every:<duration> (default ${DEFAULT-VALUE}).")
  String durability;

  /** How many node processes to start. */
  public int nodes() {
    return nodes;
  }

  /** The nodes' durability as {@code kvstore node --durability} takes it. */
  public String durability() {
    return durability;
  }

  /**
   * A usage error, before anything starts, unless the node count is in {@code [min, max]} and the durability
   * parses.
   *
   * @throws ParameterException naming the option that is wrong
   */
  public void check(CommandSpec spec, int min, int max) {
    if (nodes < min || nodes > max) {
      throw new ParameterException(spec.commandLine(), "--nodes must be between " + min + " and " + max
          + ", got " + nodes);
    }
    try {
      Durability.parse(durability);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--durability: " + e.getMessage());
    }
  }

  /** The directory for the nodes: {@code --dir} (created), or a new temporary one named {@code prefix...}. */
  public Path createRoot(String prefix) throws IOException {
    return dir != null ? Directories.create(dir) : Files.createTempDirectory(prefix);
  }

  /** Whether the root directory is temporary and should be deleted after the run. */
  public boolean temporary() {
    return dir == null;
  }
}
