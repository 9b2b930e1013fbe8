package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's module that requires {@code dev.kvstore.net} sees the API packages of kvstore-clock, kvstore-core and
 * kvstore-net and none of their internals: javac, run on the built module descriptors, accepts the first and refuses
 * the second with "is not visible".
 */
class ModuleBoundaryTest {
  /** The jars and class folders a user's module needs on its module path: ours and the libraries they require. */
  private static final Pattern MODULE_PATH_ENTRY = Pattern.compile(
      ".*/kvstore-(clock|core|net)/target/classes"
          + "|.*/kvstore-(clock|core|net)-[^/]*(?<!-tests)\\.jar"
          + "|.*/(protobuf-java|rocksdbjni|slf4j-api)-[^/]*\\.jar"
          + "|.*/netty-(buffer|codec-base|common|handler|resolver|transport|transport-native-unix-common)-[^/]*\\.Final\\.jar");

  @TempDir Path dir;

  @Test
  void aUserModuleCompilesAgainstThePublicApi() throws IOException {
    String errors = compile("import dev.kvstore.net.KvNode;\nimport dev.kvstore.core.KvStore;\n"
        + "import dev.kvstore.clock.VectorClock;\n");

    assertThat(errors).isEmpty();
  }

  @Test
  void aUserModuleCannotImportAnInternalTypeOfAnyModule() throws IOException {
    for (String internal : List.of(
        "dev.kvstore.clock.internal.ByteReader",
        "dev.kvstore.core.internal.LocalStore",
        "dev.kvstore.core.internal.wal.SegmentedWal",
        "dev.kvstore.net.internal.transport.Transport",
        "dev.kvstore.net.internal.netty.NettyTransport")) {
      String pkg = internal.substring(0, internal.lastIndexOf('.'));

      String errors = compile("import " + internal + ";\n");

      assertThat(errors).as(internal).contains("package " + pkg + " is not visible");
    }
  }

  /** Compiles a module {@code user.app} requiring {@code dev.kvstore.net} with {@code imports}; returns the errors. */
  private String compile(String imports) throws IOException {
    Path src = Files.createTempDirectory(dir, "src");
    Path out = Files.createTempDirectory(dir, "out");
    Path moduleInfo = Files.writeString(src.resolve("module-info.java"),
        "module user.app {\n  requires dev.kvstore.net;\n}\n");
    Files.createDirectories(src.resolve("user/app"));
    Path uses = Files.writeString(src.resolve("user/app/Uses.java"),
        "package user.app;\n\n" + imports + "\npublic class Uses {}\n");
    String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> MODULE_PATH_ENTRY.matcher(entry.replace(File.separatorChar, '/')).matches())
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(modulePath).contains("kvstore-core").contains("kvstore-net").contains("netty-transport");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int exit = javac.run(null, null, errors, "--module-path", modulePath, "-d", out.toString(),
        moduleInfo.toString(), uses.toString());
    String reported = errors.toString(StandardCharsets.UTF_8);
    assertThat(exit == 0).as("javac exits 0 exactly when it reports nothing: %s", reported)
        .isEqualTo(reported.isBlank());
    return reported;
  }
}
