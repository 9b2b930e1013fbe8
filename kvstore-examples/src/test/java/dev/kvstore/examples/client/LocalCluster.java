package dev.kvstore.examples.client;

import dev.kvstore.core.EngineType;
import dev.kvstore.examples.LocalMachine;
import dev.kvstore.examples.NodeProcess;
import dev.kvstore.net.KvNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Three real nodes in this JVM on free loopback ports (memory engine), for the client command tests. */
final class LocalCluster implements AutoCloseable {
  final Map<String, InetSocketAddress> peers;
  final Map<String, KvNode> nodes = new LinkedHashMap<>();

  LocalCluster(Path dir) throws IOException {
    peers = LocalMachine.loopbackAddresses(3);
    for (String id : peers.keySet()) {
      nodes.put(id, KvNode.builder().nodeId(id).dataDirectory(dir.resolve(id)).engine(EngineType.MEMORY)
          .listen(peers.get(id)).peers(peers).requestTimeout(Duration.ofSeconds(1))
          .quorumMode(dev.kvstore.net.QuorumMode.STRICT) // so that a refused quorum can be shown with a node down
          .start());
    }
  }

  /** The {@code --cluster} value of these nodes. */
  String cluster() {
    return NodeProcess.peerList(peers);
  }

  void stop(String id) {
    nodes.remove(id).close();
  }

  @Override
  public void close() {
    nodes.values().forEach(KvNode::close);
  }
}
