package dev.kvstore.examples;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code kvstore jmh ARGS...}: runs the JMH micro-benchmarks packaged in this jar, passing every argument to
 * JMH's own command line (for example {@code ./kvstore jmh ClockBenchmark -f 1 -wi 2 -i 3}).
 */
@Command(
    name = "jmh",
    description = "Run the JMH micro-benchmarks in this jar; arguments go to JMH (try: jmh -h, jmh -l).",
    mixinStandardHelpOptions = false)
final class JmhCommand implements Callable<Integer> {
  /** Every argument, options included, in order: JMH parses them. */
  @Unmatched List<String> args = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(args.toArray(String[]::new));
    return 0;
  }
}
