package dev.kvstore.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One child JVM running {@code kvstore node --stop-on-stdin-eof} on this JVM's class path: started, awaited
 * until ready, stopped cleanly (its standard input closed) or killed with SIGKILL. Its standard error, where
 * the node logs, goes to {@code <root>/<id>.log} (appended, so a restarted node keeps its earlier log). When
 * this JVM dies, the child's standard input ends and the child stops by itself. It can also be paused (SIGSTOP)
 * and resumed (SIGCONT), to show what a hung node does to a cluster; a shutdown hook resumes paused nodes when
 * this JVM exits (not when it is killed with SIGKILL: then a paused node stays stopped until it gets SIGCONT or
 * SIGKILL).
 *
 * <p>Thread-safe.
 */
public final class NodeProcess {
  private final String id;
  private final Process process;
  private final Path log;
  private final CompletableFuture<String> ready = new CompletableFuture<>();

  private NodeProcess(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
    Thread reader = new Thread(this::readStdout, "node-" + id + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts node {@code id} of {@code peers} with its data in {@code <root>/<id>}.
   *
   * @param nodeArgs further {@code kvstore node} flags (cluster id, durability, N/W/R)
   * @param jvmOptions options of the child JVM (heap size, GC), after {@link #defaultJvmOptions}: where they
   *     repeat one of those, they win (the JVM takes the last)
   * @throws IOException if the process cannot be started
   */
  public static NodeProcess start(String id, Map<String, InetSocketAddress> peers, Path root, List<String> nodeArgs,
      List<String> jvmOptions) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(defaultJvmOptions(Runtime.version().feature()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "dev.kvstore.examples.KvstoreCommand", "node", "--id", id, "--listen", hostPort(peers.get(id)),
        "--peers", peerList(peers), "--data", root.resolve(id).toString(), "--stop-on-stdin-eof"));
    command.addAll(nodeArgs);
    Path log = root.resolve(id + ".log");
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new NodeProcess(id, p, log);
  }

  /**
   * The options every node JVM starts with on a JDK of feature release {@code javaFeature}. On JDK 17 to 19, G1's
   * concurrent refinement threads are told to leave the card queue to the pauses until it holds thousands of
   * buffers (fixed zones instead of adaptive ones): a node's puts write references into long-lived maps (the value
   * cache, the engine's write buffer) all the time, and by default G1's refinement threads woke to scan the dirtied
   * cards throughout a put phase, 8-13% of a core of a two-core machine. Measured alternated with
   * the default in docs/benchmarks.md ("G1 refinement deferred to the pauses"). JDK 20 rewrote refinement and
   * removed these flags (JDK 25 refuses to start with them), so there is none from 20 on.
   */
  static List<String> defaultJvmOptions(int javaFeature) {
    if (javaFeature >= 20) {
      return List.of();
    }
    return List.of("-XX:-G1UseAdaptiveConcRefinement", "-XX:G1ConcRefinementGreenZone=2000",
        "-XX:G1ConcRefinementYellowZone=4000", "-XX:G1ConcRefinementRedZone=8000");
  }

  /** {@code id=host:port,...} of every node, as {@code --peers} and {@code --cluster} take it. */
  public static String peerList(Map<String, InetSocketAddress> peers) {
    return peers.entrySet().stream().map(e -> e.getKey() + "=" + hostPort(e.getValue()))
        .collect(Collectors.joining(","));
  }

  /** The node's id. */
  public String id() {
    return id;
  }

  /** The node's log file. */
  public Path log() {
    return log;
  }

  /** The operating system's handle of the process (for CPU accounting). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the node's {@code ready} line.
   *
   * @throws IllegalStateException if the process exits first or the timeout passes (with the end of its log)
   */
  public String awaitReady(Duration timeout) throws InterruptedException {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("node " + id + " did not become ready within " + timeout.toSeconds()
          + " s (" + (e instanceof TimeoutException ? "timed out" : e.getCause().getMessage()) + "); end of "
          + log + ":\n" + LocalMachine.tail(log, 20), e);
    }
  }

  /**
   * Stops the process with SIGSTOP: it keeps its sockets open and answers nothing, as a node whose machine stalls
   * (a long pause, a frozen VM) does, unlike a killed one whose connections are refused at once.
   *
   * @throws IOException if the signal cannot be sent (no {@code sh} with {@code kill}, as on Windows)
   */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
    PAUSED.add(this);
  }

  /** Lets a paused process run again (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
    PAUSED.remove(this);
  }

  /** Whether {@link #pause} stopped the process and {@link #resume} has not let it run since. */
  public boolean isPaused() {
    return PAUSED.contains(this);
  }

  private void signal(String name) throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IOException("node " + id + " (pid " + process.pid() + ") is not running");
    }
    // The shell's kill builtin: Java itself sends only SIGTERM and SIGKILL.
    Process kill = new ProcessBuilder("sh", "-c", "kill -s " + name + " " + process.pid())
        .redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS)) {
      kill.destroyForcibly();
      throw new IOException("could not send SIG" + name + " to node " + id + ": sh did not finish in 10 s");
    }
    if (kill.exitValue() != 0) {
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      throw new IOException("could not send SIG" + name + " to node " + id + " (pid " + process.pid() + ")"
          + (output.isEmpty() ? "" : ": " + output));
    }
  }

  // Paused nodes, resumed by a shutdown hook if this JVM exits first (SIGINT, SIGTERM): a stopped process would
  // not see its standard input end, and would keep its ports and its data directory's lock.
  private static final java.util.Set<NodeProcess> PAUSED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (NodeProcess p : PAUSED) {
        try {
          p.resume();
        } catch (IOException | InterruptedException | RuntimeException e) {
          // best effort at exit; the process may be gone
        }
      }
    }, "resume-paused-nodes"));
  }

  /** Kills the process with SIGKILL (no shutdown hook runs) and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    PAUSED.remove(this);
  }

  /** Closes the node's standard input (it stops cleanly), then escalates to SIGTERM and SIGKILL. */
  public void stop() {
    try {
      if (isPaused() && process.isAlive()) {
        resume(); // a stopped process would not see its standard input close
      }
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void readStdout() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("ready ")) {
          ready.complete(line);
        }
      }
      ready.completeExceptionally(new IllegalStateException("exited with code " + process.waitFor()));
    } catch (IOException e) {
      ready.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ready.completeExceptionally(e);
    }
  }

  /** {@code host:port} with the numeric host. */
  public static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
