package dev.kvstore.net;

/**
 * Which copies count toward a write's W when some of the key's home replicas (its first N nodes on the ring)
 * are down or do not answer.
 */
public enum QuorumMode {
  /**
   * Dynamo's sloppy quorum (the default): a durable hint held for a home replica that is down or failed, by
   * the next healthy node on the ring past the home replicas (or, when there is none, by the coordinator),
   * counts toward W. Writes stay available while fewer than W nodes are up among all nodes; the hint is
   * delivered to the home replica when it is back. With fewer than N+1 nodes a hint may sit on a node that
   * already holds the write as a home replica: it then ensures delivery but adds no copy.
   */
  SLOPPY,
  /**
   * Only the key's home replicas count toward W: a write fails with {@link
   * dev.kvstore.core.InsufficientReplicasException} when fewer than W of them acknowledge. Replicas that
   * failed still get a hint held by the coordinator, for delivery only.
   */
  STRICT
}
