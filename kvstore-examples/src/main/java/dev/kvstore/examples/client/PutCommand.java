package dev.kvstore.examples.client;

import dev.kvstore.net.KvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kvstore put KEY VALUE [--context TOKEN]}: writes a value; exit 0 acknowledged, 1 failed. */
@Command(name = "put", mixinStandardHelpOptions = true,
    description = {"Write a value to a running cluster. With --context (the token a get printed) the write",
        "supersedes exactly what that read saw; without it, it overwrites what the coordinator holds."})
public final class PutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE", description = "The value (a string).")
  String value;

  @Option(names = "--context", paramLabel = "TOKEN", description = "The context token of an earlier get.")
  String context;

  @Override
  public Integer call() {
    checkToken(spec, context);
    try (KvClient client = options.connect()) {
      return new ClientSession(client, spec.commandLine().getOut(), false).put(key, value, context);
    }
  }

  /** A malformed token is a usage error, found before anything connects. */
  static void checkToken(CommandSpec spec, String token) {
    if (token != null) {
      try {
        Show.context(token);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }
}
