package dev.kvstore.net;

import java.util.List;
import java.util.Objects;

/**
 * What a node reports about itself: identity, replication settings, its share of the ring, the keys it
 * holds, its log's counters, and how it sees each peer. Returned by {@link KvNode#status()} and, from a
 * remote node, by {@link KvClient#status(String)}. Immutable.
 *
 * @param nodeId the node's id
 * @param clusterId the cluster's id
 * @param incarnation the incarnation of the node's data directory: a new one after a crash or a wiped disk
 *     (the node's versions are then written by the actor {@code <nodeId>.<incarnation>})
 * @param address the address the node listens on, {@code host:port}
 * @param n replicas per key
 * @param w the node's default write acks
 * @param r the node's default read replies
 * @param ringShare the fraction of the key space whose first replica is this node, 0 to 1
 * @param keys the approximate number of keys the node's replica holds (tombstones included)
 * @param log the node's write-ahead log counters since it started
 * @param peers every other node of the cluster, as this node sees it, in id order
 * @param writeRefusal why this node takes no writes (its log failed, its disk is full), or empty when it does
 * @param hintsDelivered hints this node delivered to their owners since it started
 * @param hintsDropped hints this node dropped for being older than the hint window since it started
 * @param ranges anti-entropy of every replica range the node holds, in range order; empty when anti-entropy is off
 */
public record NodeStatus(String nodeId, String clusterId, String incarnation, String address, int n, int w, int r,
    double ringShare, long keys, LogCounters log, List<PeerStatus> peers, String writeRefusal, long hintsDelivered,
    long hintsDropped, List<RangeStatus> ranges) {

  /** Checks the components and copies the peer list. */
  public NodeStatus {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(incarnation, "incarnation");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(writeRefusal, "writeRefusal");
    peers = List.copyOf(peers);
    ranges = List.copyOf(ranges);
  }

  /** The actor id under which this node issues versions: {@code <nodeId>.<incarnation>}. */
  public String actorId() {
    return nodeId + "." + incarnation;
  }

  /**
   * Counters of a node's write-ahead log since it started. Immutable.
   *
   * @param appends records appended (one per write)
   * @param groups groups written (concurrent appends share one)
   * @param forces {@code fsync}s of the log
   */
  public record LogCounters(long appends, long groups, long forces) {}

  /**
   * One peer as a node sees it. Immutable.
   *
   * @param id the peer's node id
   * @param address where the node reaches it, {@code host:port}
   * @param connected whether the node holds an open, handshaken connection to it now
   * @param up whether the node's failure detector treats the peer as up (heard from, and taking writes)
   * @param phi the detector's suspicion of the peer now: near 0 while it is heard from, DOWN above the threshold
   * @param writeRefusal why the peer takes no writes, as its last heartbeat answer said, or empty
   * @param hintsHeld keys this node holds hints of for the peer, to deliver when it is up
   */
  public record PeerStatus(String id, String address, boolean connected, boolean up, double phi, String writeRefusal,
      long hintsHeld) {
    /** Checks the components. */
    public PeerStatus {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(writeRefusal, "writeRefusal");
    }
  }

  /**
   * Anti-entropy of one replica range (the ring segments whose keys have the same replicas), as a node sees it.
   * Immutable.
   *
   * @param range the replicas' node ids, sorted, joined by commas ({@code "n1,n2,n3"})
   * @param lastPeer the peer of the last exchange of the range, or empty when there was none since the node started
   * @param lastExchange when that exchange ended, or empty
   * @param keysRepaired keys whose sets moved in exchanges of the range (sent plus received) since the node started
   * @param bytesSent bytes this node sent in exchanges of the range (requests, replies, sibling sets) since it started
   * @param inSync whether the last exchange ended with both trees equal
   */
  public record RangeStatus(String range, String lastPeer, java.util.Optional<java.time.Instant> lastExchange,
      long keysRepaired, long bytesSent, boolean inSync) {
    /** Checks the components. */
    public RangeStatus {
      Objects.requireNonNull(range, "range");
      Objects.requireNonNull(lastPeer, "lastPeer");
      Objects.requireNonNull(lastExchange, "lastExchange");
    }
  }
}
