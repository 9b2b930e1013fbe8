// The code of README.md's "Embed kvstore in your service", compiled and run by EmbeddedExampleTest, which
// also checks that each region between "// [name]" and "// [end]" equals the README's block of that name.
package dev.kvstore.examples;

// [imports]
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Versions;
import dev.kvstore.net.KvClient;
import dev.kvstore.net.KvNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
// [end]

/**
 * A service that embeds kvstore: a local store, then a 3-node cluster in one process with a remote client. The
 * README shows this code; run it with {@code java -cp kvstore-examples/target/kvstore.jar
 * dev.kvstore.examples.EmbeddedExample} (ports 7001-7003 must be free).
 */
public final class EmbeddedExample {
  private EmbeddedExample() {}

  /** Runs both examples under {@code ./embedded-example-data}. */
  public static void main(String[] args) {
    Path data = Path.of("embedded-example-data");
    // [main]
    localStore(data.resolve("local"));
    Map<String, InetSocketAddress> addresses = Map.of(
        "n1", new InetSocketAddress("127.0.0.1", 7001),
        "n2", new InetSocketAddress("127.0.0.1", 7002),
        "n3", new InetSocketAddress("127.0.0.1", 7003));
    threeNodes(data.resolve("cluster"), addresses);
    // [end]
  }

  /** One store, no network: the values read after two writes. */
  static List<String> localStore(Path dir) {
    // [local]
    try (KvStore store = KvStore.local().nodeId("app-1").dataDirectory(dir).open()) {
      store.put("cart", "[milk]");
      Versions read = store.get("cart");                       // the values and a causal context
      store.put("cart", "[milk, eggs]", read.context());       // supersedes exactly what was read
      Versions now = store.get("cart");
      System.out.println(now.strings() + " " + now.versions().get(0).history());  // [[milk, eggs]] (app-1.1-x,2) after {app-1.1-x:1}
      return now.strings();
    }
    // [end]
  }

  /** Three nodes of one cluster in this process, and a client: what the client reads. */
  static List<String> threeNodes(Path dir, Map<String, InetSocketAddress> addresses) {
    // [cluster]
    List<KvNode> nodes = new ArrayList<>();
    try {
      for (String id : List.of("n1", "n2", "n3")) {       // one per service instance in real life
        nodes.add(KvNode.builder().nodeId(id).dataDirectory(dir.resolve(id))
            .listen(addresses.get(id)).peers(addresses)     // every node, this one included
            .start());                                      // N=3 replicas, W=2 acks, R=2 replies
      }
      Context written = nodes.get(0).put("greeting", "hello");  // any node takes any request
      System.out.println("written, context " + written);
      try (KvClient client = KvClient.builder().nodes(addresses).connect()) {
        Versions read = client.get("greeting");             // a remote client: asks R=2 replicas directly
        System.out.println(read.strings());                 // [hello]
        return read.strings();
      }
    } finally {
      nodes.forEach(KvNode::close);
    }
    // [end]
  }
}
