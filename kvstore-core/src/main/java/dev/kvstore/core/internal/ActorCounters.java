package dev.kvstore.core.internal;

import dev.kvstore.clock.VectorClock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The highest counter this store holds for each actor, over every key: what a peer tells a restarted node
 * about that node's own actors, so the node notices when it was restored from an older copy of its directory
 * (docs/storage.md). Updated with the context of every set the store writes, built at open from the engine.
 *
 * <p>Thread-safe: a concurrent map whose entries only grow (a lost race retries until the entry is at least
 * the observed counter). Not API.
 */
final class ActorCounters {
  private final ConcurrentHashMap<String, Long> highest = new ConcurrentHashMap<>();

  /** Raises the entries to the counters of {@code context}. */
  void observe(VectorClock context) {
    List<String> nodes = context.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      String actor = nodes.get(i);
      long counter = context.get(actor);
      Long known = highest.get(actor);
      if (known == null || known < counter) {
        highest.merge(actor, counter, Math::max);
      }
    }
  }

  /** The highest counter held for {@code actor}, 0 if none. */
  long highest(String actor) {
    return highest.getOrDefault(actor, 0L);
  }

  /** The highest counter held for every actor of node {@code nodeId}, by actor id, sorted. */
  Map<String, Long> ofNode(String nodeId) {
    Map<String, Long> out = new TreeMap<>();
    highest.forEach((actor, counter) -> {
      if (Incarnation.ofActor(actor, nodeId) != null) {
        out.put(actor, counter);
      }
    });
    return out;
  }

  /** The number of actors known. */
  int size() {
    return highest.size();
  }
}
