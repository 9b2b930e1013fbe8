package dev.kvstore.net.internal.health;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Heartbeat;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.TimerSlot;
import dev.kvstore.net.internal.transport.Transport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which peers are up: one {@link PhiAccrual} per peer, fed by every message the peer sends this node
 * (requests, and replies to this node's requests, observed by {@link #observe(Transport)}), and by
 * heartbeats where there is no traffic: every interval, a peer that was sent nothing during the last interval
 * gets one {@code Heartbeat}, whose reply is an arrival. So there is at most one heartbeat per peer per
 * interval, and none on a busy link.
 *
 * <p>Every interval the detector also computes each peer's phi: a peer above the threshold goes DOWN, one
 * heard from again goes UP at once; each transition is logged once ({@code node n3 DOWN (phi 9.1)}, {@code
 * node n3 UP}) and told to listeners. Peers start up, with a history as if they had just been heard from,
 * so a peer that never answers goes down after the same silence as one that stops.
 *
 * <p>Time and timers come from the node's {@link Scheduler} (virtual time in simulation). Thread-safe: arrivals
 * come from any event loop; the cost of an arrival on a busy link is one volatile read (arrivals closer than a
 * quarter interval to the last recorded one are not recorded).
 */
public final class FailureDetector implements PeerHealth, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FailureDetector.class);
  private static final int WINDOW = 200;

  /**
   * One peer's view, for status output.
   *
   * @param node the peer
   * @param up whether the detector treats it as up (heard from recently enough)
   * @param phi its suspicion now
   * @param writeRefusal why it takes no writes, as its last heartbeat answer said, or null when it does
   */
  public record PeerView(String node, boolean up, double phi, String writeRefusal) {}

  private final String localNode;
  private final Scheduler scheduler;
  private final DetectorOptions options;
  private final long intervalNanos;
  private final Map<String, PeerState> peers = new LinkedHashMap<>(); // fixed after construction
  private final List<BiConsumer<String, Boolean>> listeners = new CopyOnWriteArrayList<>();
  private volatile Transport transport;
  private final TimerSlot timer;

  private final class PeerState {
    final String node;
    final PhiAccrual phi; // guarded by this
    volatile long lastRecorded;
    volatile long lastSent;
    volatile boolean up = true; // changed under this
    volatile String writeRefusal; // changed under this: null while the peer takes writes

    PeerState(String node, long now) {
      this.node = node;
      this.phi = new PhiAccrual(WINDOW, intervalNanos, options.minStdDev().toNanos(),
          options.acceptablePause().toNanos(), now);
      this.lastRecorded = now;
      this.lastSent = now - intervalNanos;
    }
  }

  /** A detector of {@code peers} (this node excluded if listed) for {@code localNode}. */
  public FailureDetector(String localNode, Collection<String> peers, Scheduler scheduler, DetectorOptions options) {
    this.localNode = localNode;
    this.scheduler = scheduler;
    this.timer = new TimerSlot(scheduler);
    this.options = options;
    this.intervalNanos = options.heartbeatInterval().toNanos();
    long now = scheduler.nanoTime();
    for (String p : peers) {
      if (!p.equals(localNode)) {
        this.peers.put(p, new PeerState(p, now));
      }
    }
  }

  /**
   * Returns {@code inner} observed by this detector: requests it sends and replies it receives count as
   * traffic to and from their peer, requests it serves as arrivals from their sender, and heartbeats are
   * answered here. Heartbeats are sent through the returned transport. Call once, before {@link #start()}.
   */
  public Transport observe(Transport inner) {
    return observe(inner, () -> null);
  }

  /**
   * As {@link #observe(Transport)}, answering heartbeats with {@code writeRefusal}: why this node takes no
   * writes, or null when it does. Peers treat a node that refuses writes as down.
   */
  public Transport observe(Transport inner, java.util.function.Supplier<String> writeRefusal) {
    ObservedTransport observed = new ObservedTransport(inner, this, writeRefusal);
    this.transport = observed;
    return observed;
  }

  /** Calls {@code listener} with (node, up) on every transition, on the thread that found it. */
  public void addListener(BiConsumer<String, Boolean> listener) {
    listeners.add(listener);
  }

  /** Starts the heartbeat and check timer. */
  public void start() {
    if (transport == null) {
      throw new IllegalStateException("observe(transport) first");
    }
    arm();
  }

  private void arm() {
    timer.schedule(options.heartbeatInterval(), this::tick);
  }

  /** Whether {@code node} is heard from and takes writes; this node and unknown nodes always are. */
  @Override
  public boolean isUp(String node) {
    PeerState s = peers.get(node);
    return s == null || (s.up && s.writeRefusal == null);
  }

  /** The current suspicion of {@code node}: 0 for this node and unknown nodes. */
  public double phi(String node) {
    PeerState s = peers.get(node);
    if (s == null) {
      return 0;
    }
    synchronized (s) {
      return s.phi.phi(scheduler.nanoTime());
    }
  }

  /** Every peer with its state and phi, in the order the node was given them. */
  public List<PeerView> view() {
    List<PeerView> all = new ArrayList<>(peers.size());
    for (PeerState s : peers.values()) {
      all.add(new PeerView(s.node, s.up, phi(s.node), s.writeRefusal));
    }
    return all;
  }

  /** Records traffic from {@code node} (any message). Unknown senders (clients) are ignored. */
  void arrived(String node) {
    PeerState s = peers.get(node);
    if (s == null) {
      return;
    }
    long now = scheduler.nanoTime();
    if (s.up && now - s.lastRecorded < intervalNanos / 4) {
      return; // a busy link: enough samples already
    }
    boolean cameUp = false;
    synchronized (s) {
      s.phi.heartbeat(now);
      s.lastRecorded = now;
      if (!s.up) {
        s.up = true;
        cameUp = true;
      }
    }
    if (cameUp) {
      log.info("node {} UP", node);
      notifyListeners(node, true);
    }
  }

  /** Records what {@code node}'s heartbeat answer said about its writes (empty: it takes them). */
  void writeRefusal(String node, String refusal) {
    PeerState s = peers.get(node);
    if (s == null) {
      return;
    }
    String now = refusal.isEmpty() ? null : refusal;
    String before;
    synchronized (s) {
      before = s.writeRefusal;
      s.writeRefusal = now;
    }
    if (before == null && now != null) {
      log.warn("node {} takes no writes ({}); treated as down for writes", node, now);
      notifyListeners(node, false);
    } else if (before != null && now == null) {
      log.info("node {} takes writes again", node);
      notifyListeners(node, true);
    }
  }

  /** Records a request sent to {@code node}. */
  void sent(String node) {
    PeerState s = peers.get(node);
    if (s != null) {
      long now = scheduler.nanoTime();
      if (now - s.lastSent >= intervalNanos / 4) {
        s.lastSent = now;
      }
    }
  }

  private void tick() {
    if (timer.isClosed()) {
      return;
    }
    try {
      long now = scheduler.nanoTime();
      for (PeerState s : peers.values()) {
        if (now - s.lastSent >= intervalNanos || s.writeRefusal != null) {
          heartbeat(s.node); // a refusing peer is asked every interval, to learn when it takes writes again
        }
        check(s, now);
      }
    } catch (RuntimeException e) {
      log.warn("failure detector round failed; the next one runs as usual", e);
    } finally {
      arm();
    }
  }

  private void heartbeat(String node) {
    try {
      transport.request(node, Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()),
          options.heartbeatInterval().multipliedBy(4));
    } catch (IllegalStateException e) {
      // the transport is closing: no more heartbeats
    }
  }

  private void check(PeerState s, long now) {
    double phi;
    synchronized (s) {
      if (!s.up) {
        return;
      }
      phi = s.phi.phi(now);
      if (phi < options.phiThreshold()) {
        return;
      }
      s.up = false;
    }
    log.info("node {} DOWN (phi {})", s.node, String.format(java.util.Locale.ROOT, "%.1f", phi));
    notifyListeners(s.node, false);
  }

  private void notifyListeners(String node, boolean up) {
    for (BiConsumer<String, Boolean> l : listeners) {
      try {
        l.accept(node, up);
      } catch (RuntimeException e) {
        log.warn("listener of node {} going {} failed", node, up ? "up" : "down", e);
      }
    }
  }

  /** Stops the timer; the peers keep their last state. Idempotent. */
  @Override
  public void close() {
    timer.close();
  }

  @Override
  public String toString() {
    return "FailureDetector[" + localNode + ", " + view() + "]";
  }
}
