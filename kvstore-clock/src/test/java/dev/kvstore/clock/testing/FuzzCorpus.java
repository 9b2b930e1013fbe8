package dev.kvstore.clock.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The seed corpus of a fuzz target: the files {@code valid-<i>} that the target's codec produced, in the directory
 * Jazzer reads in regression mode ({@code src/test/resources/<package>/<Class>Inputs/<method>/}), beside the findings
 * kept there once fixed. {@link #verify} checks that the seeds are still what the codec makes and that the decoder
 * accepts them; {@code -Dkvstore.fuzz.writeCorpus=true} rewrites them after a format change. The one copy for every
 * module's fuzz targets (kvstore-clock's test-jar). Stateless and thread-safe.
 */
public final class FuzzCorpus {
  /** The system property that rewrites the seeds instead of checking them. */
  public static final String WRITE = "kvstore.fuzz.writeCorpus";

  private FuzzCorpus() {}

  /** The corpus directory of {@code target}'s fuzz method {@code method}, relative to the module. */
  public static Path directory(Class<?> target, String method) {
    return Path.of("src", "test", "resources", target.getPackageName().replace('.', '/'),
        target.getSimpleName() + "Inputs", method);
  }

  /**
   * Checks (or with {@code -Dkvstore.fuzz.writeCorpus=true} writes) the seeds {@code valid-0 ..} of a target.
   *
   * @param valid the inputs the codec makes today
   * @param accepts whether the decoder accepts an input
   * @throws AssertionError if the decoder refuses a seed, or a seed file is missing or differs
   */
  public static void verify(Class<?> target, String method, List<byte[]> valid, Predicate<byte[]> accepts)
      throws IOException {
    Path dir = directory(target, method);
    boolean write = Boolean.getBoolean(WRITE);
    if (write) {
      Files.createDirectories(dir);
    }
    for (int i = 0; i < valid.size(); i++) {
      byte[] seed = valid.get(i);
      if (!accepts.test(seed)) {
        throw new AssertionError("the decoder refuses seed " + i + " that the codec made: " + FuzzInput.hex(seed));
      }
      Path file = dir.resolve("valid-" + i);
      if (write) {
        Files.write(file, seed);
      } else if (!Files.exists(file) || !Arrays.equals(Files.readAllBytes(file), seed)) {
        throw new AssertionError(file + " is missing or not what the codec makes now; rewrite the seeds with -D"
            + WRITE + "=true");
      }
    }
  }
}
