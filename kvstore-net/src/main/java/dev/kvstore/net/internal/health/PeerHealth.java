package dev.kvstore.net.internal.health;

/** Which peers a node treats as up. Implementations are thread-safe. */
@FunctionalInterface
public interface PeerHealth {
  /** Every node up: for nodes built without failure detection (tests, the plain simulation). */
  PeerHealth ALL_UP = node -> true;

  /** Whether {@code node} is treated as up; this node itself and nodes the detector does not know always are. */
  boolean isUp(String node);
}
