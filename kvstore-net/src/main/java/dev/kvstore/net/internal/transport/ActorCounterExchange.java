package dev.kvstore.net.internal.transport;

import java.util.Map;

/**
 * What the handshake carries for restore detection (docs/storage.md): the accepting node tells the connecting
 * one the highest version counter it holds for each of the connecting node's own actors, and the connecting
 * node checks them before it mints. The transport only carries the maps; the store decides.
 *
 * <p>Implementations are thread-safe: {@link #heldFor} and the two events run on network event loops and
 * must not block (but for the rare renewal of an incarnation, which forces one small file).
 */
public interface ActorCounterExchange {
  /** Carries nothing and ignores every answer (clients, tests). */
  ActorCounterExchange NONE = new ActorCounterExchange() {
    @Override
    public Map<String, Long> heldFor(String node) {
      return Map.of();
    }

    @Override
    public void reported(String peer, Map<String, Long> counters) {}

    @Override
    public void unreachable(String peer, String reason) {}
  };

  /** Server side: the highest counter held here for each actor of {@code node}, which just connected. */
  Map<String, Long> heldFor(String node);

  /** Client side: {@code peer} accepted our handshake and holds these counters of our actors. */
  void reported(String peer, Map<String, Long> counters);

  /** Client side: a connection to {@code peer} closed or was refused before its handshake completed. */
  void unreachable(String peer, String reason);
}
