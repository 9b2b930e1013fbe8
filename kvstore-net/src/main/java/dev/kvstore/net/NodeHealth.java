package dev.kvstore.net;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a node knows about failures, at one moment: each peer as its failure detector sees it, the hints it
 * holds for other nodes, and the hints it delivered and dropped since it started. Immutable.
 *
 * @param node this node's id
 * @param peers every other node of the cluster, in the order the node was given them
 * @param hintsHeld per target node with hints held here: how many keys and the age of the oldest
 * @param hintsDelivered hints acknowledged by their target and removed here since the node started
 * @param hintsDropped hints dropped for being older than the hint window since the node started
 */
public record NodeHealth(String node, List<Peer> peers, Map<String, HeldHints> hintsHeld, long hintsDelivered,
    long hintsDropped) {

  /** Copies the collections. */
  public NodeHealth {
    peers = List.copyOf(peers);
    hintsHeld = Map.copyOf(hintsHeld);
  }

  /**
   * One peer as this node's failure detector sees it.
   *
   * @param node the peer's id
   * @param up whether this node treats it as up
   * @param phi the detector's suspicion now: about 0 while heartbeats arrive; down above the threshold
   * @param writeRefusal why the peer takes no writes (its log failed, its disk is full), as it last said, or
   *     null when it takes them; such a peer is treated as down for writes
   */
  public record Peer(String node, boolean up, double phi, String writeRefusal) {}

  /**
   * Hints held for one node.
   *
   * @param keys how many keys have a hint
   * @param oldestAge how long ago the oldest hint's newest version was written
   */
  public record HeldHints(long keys, Duration oldestAge) {}

  /** The hints held for all nodes together. */
  public long hintKeysHeld() {
    return hintsHeld.values().stream().mapToLong(HeldHints::keys).sum();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("node ").append(node).append(':');
    for (Peer p : peers) {
      b.append(' ').append(p.node()).append(p.up() ? " UP" : " DOWN")
          .append(String.format(java.util.Locale.ROOT, " (phi %.1f)", p.phi()));
      if (p.writeRefusal() != null) {
        b.append(" takes no writes: ").append(p.writeRefusal());
      }
      b.append(',');
    }
    b.append(" hints held ").append(hintKeysHeld());
    hintsHeld.forEach((target, h) -> b.append(" [").append(target).append(": ").append(h.keys())
        .append(" keys, oldest ").append(h.oldestAge().toSeconds()).append(" s]"));
    return b.append(", delivered ").append(hintsDelivered).append(", dropped ").append(hintsDropped).toString();
  }
}
