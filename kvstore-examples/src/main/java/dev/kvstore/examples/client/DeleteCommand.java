package dev.kvstore.examples.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin ContextToken context;

  @Override
  public Integer call() {
    String token = context.checked(spec);
    return options.run(spec, session -> session.delete(key, token));
  }
}
