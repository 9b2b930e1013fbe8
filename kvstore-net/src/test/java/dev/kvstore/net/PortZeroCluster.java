package dev.kvstore.net;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Starts test nodes on port 0 of 127.0.0.1, so each port is the one the node itself bound (no port probed, closed
 * and reused later, which another process may take in between), then tells every node the others' addresses.
 */
final class PortZeroCluster {
  /** The address to listen on: 127.0.0.1, a port the OS picks. */
  static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

  private PortZeroCluster() {}

  /**
   * Starts a node per id in order, each from {@code builder} (everything set but listen address and peers), and
   * introduces them to each other.
   *
   * @param addresses filled with each node's bound address, by id (for clients and for restarting a node)
   * @return the started nodes by id, in the order of {@code ids}
   */
  static Map<String, KvNode> start(Collection<String> ids, Map<String, InetSocketAddress> addresses,
      Function<String, KvNodeBuilder> builder) {
    Map<String, KvNode> started = new LinkedHashMap<>();
    try {
      for (String id : ids) {
        KvNode node = startOne(id, ids, addresses, builder);
        started.put(id, node);
      }
    } catch (RuntimeException e) {
      started.values().forEach(KvNode::close);
      throw e;
    }
    introduce(started.values());
    return started;
  }

  /**
   * Starts (or restarts) node {@code id} of the cluster {@code ids} on port 0 and records its address; the other
   * nodes learn it through {@link #introduce}.
   */
  static KvNode startOne(String id, Collection<String> ids, Map<String, InetSocketAddress> addresses,
      Function<String, KvNodeBuilder> builder) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    for (String other : ids) {
      peers.put(other, addresses.getOrDefault(other, ANY_PORT)); // not bound yet: introduced once it is
    }
    KvNode node = builder.apply(id).listen(ANY_PORT).peers(peers).start();
    addresses.put(id, node.address());
    return node;
  }

  /**
   * Starts (or restarts) node {@code id} on port 0, puts it in {@code nodes} (by id) and introduces every node of
   * {@code nodes} to every other: a node back after a stop, as the running ones must see it.
   *
   * @return the started node
   */
  static KvNode restart(String id, Collection<String> ids, Map<String, InetSocketAddress> addresses,
      Map<String, KvNode> nodes, Function<String, KvNodeBuilder> builder) {
    KvNode node = startOne(id, ids, addresses, builder);
    nodes.put(id, node);
    introduce(nodes.values());
    return node;
  }

  /** Tells every node of {@code nodes} the bound address of every other. */
  static void introduce(Collection<KvNode> nodes) {
    List<KvNode> all = List.copyOf(nodes);
    for (KvNode node : all) {
      for (KvNode other : all) {
        if (other != node) {
          node.peerAddress(other.nodeId(), other.address());
        }
      }
    }
  }
}
