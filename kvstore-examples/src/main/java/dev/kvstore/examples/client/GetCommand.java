package dev.kvstore.examples.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore get KEY}: prints each sibling with its clock and the context token; exit 0 found, 1 not
 * found or failed.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Read a key from a running cluster: each sibling with its clock, then a context token",
        "for a causal 'put --context'. Exit 0 found, 1 not found or failed."})
public final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
  String key;

  @Option(names = "--json", description = "Print one JSON object instead of lines.")
  boolean json;

  @Override
  public Integer call() {
    return options.run(spec, session -> session.get(key, json));
  }
}
