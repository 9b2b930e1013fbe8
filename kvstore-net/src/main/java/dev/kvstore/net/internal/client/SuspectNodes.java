package dev.kvstore.net.internal.client;

import dev.kvstore.net.internal.transport.ErrorCodes;
import dev.kvstore.net.internal.transport.PeerTimeoutException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What a client remembers of the nodes that failed it: a node whose request failed at the transport level (not
 * sent, refused, no reply in time, connection lost) is <em>suspect</em> for a while, and the client asks the
 * other replicas of a key first until then. A reply from the node clears it at once. When the period is over,
 * one request asks the node first again (a probe) while it stays suspect for the others for another period:
 * if the node answers, it is cleared; if it is still silent, only that request waited for it.
 *
 * <p>Why: a client has no failure detector of its own, and without this memory every request whose first
 * replica is a hung node would wait for that node's timeout before trying the next (a put the whole attempt
 * timeout, a GET's direct reads a fifth of the request timeout). Nodes keep their own detector
 * ({@code FailureDetector}); this is the client's much simpler counterpart, fed by the requests it makes anyway.
 *
 * <p>Not API. Thread-safe; reading it when no node is suspect costs one {@code isEmpty}.
 */
public final class SuspectNodes {
  /** How long a node that failed a request is asked after the others, unless it answers first. */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(3);

  private final long periodNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Long> suspectUntil = new ConcurrentHashMap<>();

  /**
   * Remembers failures for {@code period} on {@code nanoClock} ({@code System::nanoTime}, or a simulation's
   * virtual time).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code period} is not positive
   */
  public SuspectNodes(Duration period, LongSupplier nanoClock) {
    if (Objects.requireNonNull(period, "period").isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, got " + period);
    }
    this.periodNanos = period.toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * Records how a request to {@code node} ended: with no reply in time, not sent, refused or an {@code UNAVAILABLE}
   * answer ({@link #failed}), or with any other reply or error, which means it answered ({@link #answered}).
   *
   * @param failure what the request failed with, possibly wrapped; null when it got its reply
   */
  public void record(String node, Throwable failure) {
    Throwable cause = failure == null ? null : ErrorCodes.unwrap(failure);
    if (cause instanceof PeerTimeoutException || cause instanceof PeerUnavailableException) {
      failed(node);
    } else {
      answered(node);
    }
  }

  /** {@code node} failed a request at the transport level: it is suspect for the period from now. */
  public void failed(String node) {
    suspectUntil.put(node, nanoClock.getAsLong() + periodNanos);
  }

  /** {@code node} answered a request: it is no longer suspect. */
  public void answered(String node) {
    if (!suspectUntil.isEmpty()) {
      suspectUntil.remove(node);
    }
  }

  /**
   * Whether to ask {@code node} after the others: it failed a request and has not answered since. The first caller
   * after each period is told no (it probes the node).
   */
  public boolean isSuspect(String node) {
    if (suspectUntil.isEmpty()) {
      return false;
    }
    Long until = suspectUntil.get(node);
    if (until == null) {
      return false;
    }
    long now = nanoClock.getAsLong();
    if (now - until >= 0) {
      // The period is over: this caller alone asks the node again (a probe), and it stays suspect for the rest,
      // for another period, unless the probe's answer clears it or the probe's failure marks it again.
      return !suspectUntil.replace(node, until, now + periodNanos);
    }
    return true;
  }

  /**
   * {@code nodes} with the suspect ones moved to the end, each part in its given order; {@code nodes} itself
   * when none is suspect.
   */
  public List<String> unsuspectedFirst(List<String> nodes) {
    if (suspectUntil.isEmpty()) {
      return nodes;
    }
    List<String> order = new ArrayList<>(nodes.size());
    List<String> last = new ArrayList<>(1);
    for (String node : nodes) {
      (isSuspect(node) ? last : order).add(node);
    }
    if (last.isEmpty()) {
      return nodes;
    }
    order.addAll(last);
    return order;
  }
}
