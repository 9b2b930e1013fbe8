package dev.kvstore.examples.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
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

  @Mixin ContextToken context;

  @Override
  public Integer call() {
    String token = context.checked(spec);
    return options.run(spec, session -> session.put(key, value, token));
  }
}
