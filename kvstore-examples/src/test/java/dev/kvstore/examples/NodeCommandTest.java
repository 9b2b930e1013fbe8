package dev.kvstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.net.KvClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code kvstore node}: refuses bad flags with exit code 2; runs until stopped whatever its standard input is;
 * with {@code --stop-on-stdin-eof} stops when its standard input ends; reads options from {@code --config}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeCommandTest {
  private static final Pattern READY = Pattern.compile("ready n1 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      "--listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D",                      // no --id
      "--id n1 --listen nowhere --peers n1=127.0.0.1:7001 --data D",                  // no port
      "--id n1 --listen 127.0.0.1:70000 --peers n1=127.0.0.1:7001 --data D",          // port out of range
      "--id n1 --listen 127.0.0.1:0 --peers n1 --data D",                             // peer without address
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --durability sometimes",
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --engine paper",
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --n 3",        // N above the node count
      "--id n1 --listen 127.0.0.1:0 --peers n2=127.0.0.1:7001 --data D",              // peers without this node
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --frobnicate",
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --log-level loud",
      "--id n1 --listen 127.0.0.1:0 --peers n1=127.0.0.1:7001 --data D --config /nonexistent/node.properties"})
  void badFlagsAreAUsageErrorWithExitCodeTwoAndStartNothing(String flags) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new NodeCommand(InputStream.nullInputStream()));
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute(flags.replace("D", dir.resolve("n1").toString()).split(" "));
    assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(err.toString()).isNotBlank();
    assertThat(out.toString()).doesNotContain("ready");
    assertThat(Files.exists(dir.resolve("n1"))).as("no data directory was created").isFalse();
  }

  @Test
  void withStopOnStdinEofAndStandardInputClosedTheNodeStartsSaysReadyAndStopsCleanly() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new NodeCommand(new ByteArrayInputStream(new byte[0])));
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("--stop-on-stdin-eof", "--id", "n1", "--listen", "127.0.0.1:0", "--peers", "n1=127.0.0.1:0", "--n", "1",
        "--w", "1", "--r", "1", "--data", dir.resolve("n1").toString(), "--engine", "MEMORY");
    assertThat(exit).isZero();
    assertThat(out.toString()).containsPattern(READY);
    assertThat(Files.isDirectory(dir.resolve("n1"))).isTrue();
  }

  @Test
  void withStopOnStdinEofTheNodeServesAClientUntilItsStandardInputEnds() throws Exception {
    PipedOutputStream stdin = new PipedOutputStream();
    ReadyWatcher watcher = new ReadyWatcher();
    CommandLine cli = new CommandLine(new NodeCommand(new PipedInputStream(stdin)));
    cli.setOut(new PrintWriter(watcher, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--stop-on-stdin-eof", "--id", "n1",
        "--listen", "127.0.0.1:0", "--peers", "n1=127.0.0.1:0", "--cluster-id", "solo", "--n", "1", "--w", "1",
        "--r", "1", "--data", dir.resolve("n1").toString(), "--durability", "every:10ms"));
    int port = watcher.awaitPort();
    try (KvClient client = KvClient.builder().clusterId("solo").replication(1, 1, 1)
        .nodes(Map.of("n1", new InetSocketAddress("127.0.0.1", port))).connect()) {
      client.put("k", "v");
      assertThat(client.get("k").strings()).containsExactly("v");
    }
    assertThat(exit).isNotDone();
    stdin.close();
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void withoutTheFlagTheNodeKeepsServingAfterItsStandardInputEndsUntilStopped() throws Exception {
    ReadyWatcher watcher = new ReadyWatcher();
    NodeCommand node = new NodeCommand(InputStream.nullInputStream());
    CommandLine cli = new CommandLine(node);
    cli.setOut(new PrintWriter(watcher, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--id", "n1",
        "--listen", "127.0.0.1:0", "--peers", "n1=127.0.0.1:0", "--cluster-id", "solo", "--n", "1", "--w", "1",
        "--r", "1", "--data", dir.resolve("n1").toString(), "--engine", "memory"));
    int port = watcher.awaitPort();
    try (KvClient client = KvClient.builder().clusterId("solo").replication(1, 1, 1)
        .nodes(Map.of("n1", new InetSocketAddress("127.0.0.1", port))).connect()) {
      client.put("k", "v");
      assertThat(client.get("k").strings()).containsExactly("v");
    }
    assertThat(exit).as("standard input ended long ago, the node still runs").isNotDone();
    node.stop();
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aConfigFileGivesTheOptionsAndFlagsOverrideIt() throws Exception {
    Path config = dir.resolve("node.properties");
    Files.writeString(config, String.join("\n", "id=n1", "listen=127.0.0.1:0", "peers=n1=127.0.0.1:0",
        "data=" + dir.resolve("from-file"), "n=1", "w=1", "r=1", "engine=memory", "cluster-id=wrong", ""));
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new NodeCommand(InputStream.nullInputStream()));
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("--config", config.toString(), "--stop-on-stdin-eof", "--data", dir.resolve("from-flag").toString());
    assertThat(exit).isZero();
    assertThat(out.toString()).containsPattern(READY);
    assertThat(Files.isDirectory(dir.resolve("from-flag"))).as("the flag overrides the file").isTrue();
    assertThat(Files.exists(dir.resolve("from-file"))).isFalse();
  }

  @Test
  void aConfigFileWithAnUnknownKeyIsAUsageErrorNamingTheKey() throws Exception {
    Path config = dir.resolve("node.properties");
    Files.writeString(config, "id=n1\nlisten=127.0.0.1:0\npeers=n1=127.0.0.1:0\ndata=" + dir.resolve("n1") + "\nport=7\n");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new NodeCommand(InputStream.nullInputStream()));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("--config", config.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("unknown key 'port'");
    assertThat(Files.exists(dir.resolve("n1"))).isFalse();
  }

  /** Collects what the command prints and releases a waiter once the ready line is complete. */
  private static final class ReadyWatcher extends Writer {
    private final StringBuilder text = new StringBuilder();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile int port;

    @Override
    public synchronized void write(char[] chars, int offset, int length) {
      text.append(chars, offset, length);
      Matcher m = READY.matcher(text);
      if (port == 0 && m.find() && text.indexOf("\n", m.end()) >= 0) {
        port = Integer.parseInt(m.group(1));
        ready.countDown();
      }
    }

    int awaitPort() throws InterruptedException {
      assertThat(ready.await(60, TimeUnit.SECONDS)).as("the node printed its ready line").isTrue();
      return port;
    }

    @Override
    public void flush() {}

    @Override
    public void close() throws IOException {}
  }
}
