package dev.kvstore.examples.client;

import dev.kvstore.net.KvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kvstore delete KEY [--context TOKEN]}: writes a tombstone; exit 0 acknowledged, 1 failed. */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Delete a key in a running cluster (a tombstone superseding what the context saw;",
        "without --context, what a fresh read sees)."})
public final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
  String key;

  @Option(names = "--context", paramLabel = "TOKEN", description = "The context token of an earlier get.")
  String context;

  @Override
  public Integer call() {
    PutCommand.checkToken(spec, context);
    try (KvClient client = options.connect()) {
      return new ClientSession(client, spec.commandLine().getOut(), false).delete(key, context);
    }
  }
}
