package dev.kvstore.net;

import java.util.Map;

/**
 * What one anti-entropy round of a node did ({@link KvNode#repair()}, {@link KvClient#repair(String,
 * java.time.Duration)}): over every replica range it holds and every other replica of it, the keys it compared
 * (those in hash-tree buckets that differed), the keys whose set it sent to a peer, the keys whose set it read from
 * a peer and merged, and the bytes it sent. Immutable.
 *
 * @param exchanges (range, peer) exchanges that completed
 * @param keysCompared keys in differing buckets, summed over the exchanges
 * @param keysSent keys sent to peers (a peer lacked the key, or its set did not cover this node's)
 * @param keysReceived keys read from peers and merged here
 * @param bytesSent bytes of the requests and sibling sets the node sent in the round
 * @param peersFailed peers whose exchange failed, with why
 */
public record RepairReport(int exchanges, long keysCompared, long keysSent, long keysReceived, long bytesSent,
    Map<String, String> peersFailed) {
  /** Copies {@code peersFailed}. */
  public RepairReport {
    peersFailed = Map.copyOf(peersFailed);
  }
}
