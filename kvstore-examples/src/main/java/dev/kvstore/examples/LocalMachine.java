package dev.kvstore.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the example commands need of this machine: free loopback ports for local nodes, scratch clean-up, the
 * end of a child process's log for an error message.
 */
public final class LocalMachine {
  private LocalMachine() {}

  /**
   * Addresses {@code n1 .. n<count>} on 127.0.0.1, each on a port that was free when this ran (all ports are
   * held open together while they are chosen, so they differ).
   */
  public static Map<String, InetSocketAddress> loopbackAddresses(int count) throws IOException {
    Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sockets.add(s);
        addresses.put("n" + i, new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
      }
      return addresses;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  /** The last {@code lines} lines of {@code file} (none if it does not exist), or why it cannot be read. */
  public static String tail(Path file, int lines) {
    try {
      List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  /** Deletes {@code root} and everything under it. */
  public static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
