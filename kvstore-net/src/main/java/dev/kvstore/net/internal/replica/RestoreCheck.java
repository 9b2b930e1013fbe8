package dev.kvstore.net.internal.replica;

import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.transport.ActorCounterExchange;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore detection at the handshake (docs/storage.md): answers a connecting peer with the counters held here
 * of its actors, and checks what each peer answers about ours. At start the node mints nothing until every
 * peer has answered or was found unreachable, or a bounded wait has passed ({@link #awaitPeers}); answers that
 * come later (a peer that was down, a reconnect) are checked as they come.
 *
 * <p>Thread-safe: the exchange's methods run on network event loops; {@link #awaitPeers} on the starting
 * thread.
 */
public final class RestoreCheck implements ActorCounterExchange {
  private static final Logger log = LoggerFactory.getLogger(RestoreCheck.class);

  private final LocalStore store;
  private final dev.kvstore.net.internal.hints.HintStore hints; // null: none
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();
  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile String failure;

  /** Holds minting in {@code store} until {@link #awaitPeers} has heard from {@code peers} (or gave up). */
  public RestoreCheck(LocalStore store, Collection<String> peers) {
    this(store, null, peers);
  }

  /**
   * As {@link #RestoreCheck(LocalStore, Collection)}, also reporting the counters held in {@code hints}: a write
   * a peer holds only as a hint for the node reveals a restore as well as one in its store.
   */
  public RestoreCheck(LocalStore store, dev.kvstore.net.internal.hints.HintStore hints, Collection<String> peers) {
    this.store = store;
    this.hints = hints;
    this.waiting.addAll(peers);
    store.holdMinting("it is still asking its peers which of its version counters they hold (restore detection)");
    if (waiting.isEmpty()) {
      settled.countDown();
    }
  }

  @Override
  public Map<String, Long> heldFor(String node) {
    Map<String, Long> held = store.highestCountersOf(node);
    if (hints == null) {
      return held;
    }
    Map<String, Long> all = new java.util.HashMap<>(held);
    hints.highestCountersOf(node).forEach((actor, counter) -> all.merge(actor, counter, Math::max));
    return all;
  }

  @Override
  public void reported(String peer, Map<String, Long> counters) {
    try {
      store.checkOwnCounters("peer " + peer, counters);
    } catch (RuntimeException e) {
      // No new incarnation could be recorded: minting under the old one could reissue a peer's dots.
      failure = "taking a new incarnation failed (" + e.getMessage() + "); restart the node";
      store.holdMinting(failure);
      log.error("restore detection: peer {} holds counters of this node's actors that it did not issue, and {}",
          peer, failure, e);
    } finally {
      settle(peer);
    }
  }

  @Override
  public void unreachable(String peer, String reason) {
    if (waiting.contains(peer)) {
      log.debug("restore detection: peer {} unreachable at start ({}); it is checked when it answers", peer, reason);
    }
    settle(peer);
  }

  /**
   * Waits until every peer answered or was unreachable, at most {@code max}, then lets the store mint (unless
   * taking a new incarnation failed). Peers that did not answer in time are named in the log: a restore they
   * alone could reveal is detected only once they answer (docs/storage.md).
   */
  public void awaitPeers(Duration max) {
    try {
      if (!settled.await(max.toNanos(), TimeUnit.NANOSECONDS)) {
        log.warn("restore detection: no answer within {} ms from {}; minting starts without them",
            max.toMillis(), Set.copyOf(waiting));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller's thread keeps its interrupt; the node starts anyway
      log.warn("restore detection: interrupted while waiting for {}; minting starts without them", Set.copyOf(waiting));
    }
    store.releaseMinting();
    String failed = failure;
    if (failed != null) { // also when the failure raced with the release above
      store.holdMinting(failed);
    }
  }

  private void settle(String peer) {
    if (waiting.remove(peer) && waiting.isEmpty()) {
      settled.countDown();
    }
  }
}
