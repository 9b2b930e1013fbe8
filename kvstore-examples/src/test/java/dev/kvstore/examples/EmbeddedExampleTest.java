package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's embedding guide is {@link EmbeddedExample}: each README block marked {@code <!-- example: NAME
 * -->} equals the example's region {@code // [NAME]}, and the example runs.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedExampleTest {
  private static final Path SOURCE = Path.of("src/main/java/dev/kvstore/examples/EmbeddedExample.java");
  private static final Path README = Path.of("../README.md");

  @TempDir Path dir;

  @Test
  void theLocalStoreExampleReadsTheCausalOverwrite() {
    assertThat(EmbeddedExample.localStore(dir.resolve("local"))).containsExactly("[milk, eggs]");
  }

  @Test
  void theThreeNodeExampleServesAClient() throws IOException {
    assertThat(EmbeddedExample.threeNodes(dir.resolve("cluster"), LocalMachine.loopbackAddresses(3)))
        .containsExactly("hello");
  }

  @ParameterizedTest
  @ValueSource(strings = {"imports", "main", "local", "cluster"})
  void theReadmeBlockEqualsTheExampleRegion(String name) throws IOException {
    assertThat(readmeBlock(name)).isEqualTo(region(name));
  }

  @Test
  void theReadmeNamesTheCoordinatesTheInstallStepAndAnSlf4jBinding() throws IOException {
    String readme = Files.readString(README);
    assertThat(readme).contains("mvn -B install -DskipTests", "<artifactId>kvstore-net</artifactId>",
        "<artifactId>slf4j-simple</artifactId>");
  }

  /** The lines between {@code // [name]} and {@code // [end]}, without their common indentation. */
  static String region(String name) throws IOException {
    List<String> lines = Files.readAllLines(SOURCE);
    int start = indexOf(lines, "// [" + name + "]", 0) + 1;
    int end = indexOf(lines, "// [end]", start);
    List<String> body = lines.subList(start, end);
    int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    return String.join("\n", body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
  }

  /** The fenced block after {@code <!-- example: name -->} in the README. */
  static String readmeBlock(String name) throws IOException {
    Matcher m = Pattern.compile("<!-- example: " + name + " -->\\s*```java\\n(.*?)\\n```", Pattern.DOTALL)
        .matcher(Files.readString(README));
    assertThat(m.find()).as("README has a java block marked <!-- example: %s -->", name).isTrue();
    return m.group(1);
  }

  private static int indexOf(List<String> lines, String marker, int from) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("no line '" + marker + "' in " + SOURCE);
  }
}
