package dev.kvstore.examples.client;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --context TOKEN} option of the writing commands: the token an earlier get printed, checked before
 * anything connects. A picocli mixin; not thread-safe.
 */
public final class ContextToken {
  @Option(names = "--context", paramLabel = "TOKEN", description = "The context token of an earlier get.")
  String token;

  /**
   * The token given, or null when none was.
   *
   * @throws ParameterException if the token is malformed
   */
  String checked(CommandSpec spec) {
    if (token != null) {
      try {
        Show.context(token);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    return token;
  }
}
