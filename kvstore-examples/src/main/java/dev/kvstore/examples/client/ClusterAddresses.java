package dev.kvstore.examples.client;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code --cluster} list {@code id=host:port,id=host:port,...} (the same form as a node's
 * {@code --peers}): a client places keys on the ring by node id, so every node of the cluster is named.
 */
public final class ClusterAddresses {
  private ClusterAddresses() {}

  /**
   * The nodes of {@code list} by id, in order.
   *
   * @throws IllegalArgumentException with a message naming the bad entry and the expected form
   */
  public static Map<String, InetSocketAddress> parse(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("no cluster given: pass --cluster id=host:port,... (every node of the "
          + "cluster) or set KVSTORE_CLUSTER");
    }
    Map<String, InetSocketAddress> nodes = new LinkedHashMap<>();
    for (String entry : list.split(",")) {
      String e = entry.trim();
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--cluster entry '" + e + "' has no node id: write id=host:port, "
            + "e.g. n1=127.0.0.1:7001 (the ids the nodes were started with)");
      }
      String id = e.substring(0, eq);
      if (nodes.put(id, address(e.substring(eq + 1))) != null) {
        throw new IllegalArgumentException("--cluster names node '" + id + "' twice");
      }
    }
    return nodes;
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port must be a number, got '" + hostPort.substring(colon + 1) + "'");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon), port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve host '" + hostPort.substring(0, colon) + "'");
    }
    return address;
  }
}
