package dev.kvstore.net;

import java.util.Map;

/**
 * What one anti-entropy round of a node did ({@link KvNode#repair()}): over every peer it exchanged with, the keys
 * it compared (those in hash-tree buckets that differed), the keys whose set it sent to a peer, and the keys whose
 * set it read from a peer and merged. Immutable.
 *
 * @param peersExchanged peers whose exchange completed
 * @param keysCompared keys in differing buckets, summed over the peers
 * @param keysSent keys sent to peers (a peer lacked the key, or its set did not cover this node's)
 * @param keysReceived keys read from peers and merged here
 * @param peersFailed peers whose exchange failed, with why
 */
public record RepairReport(int peersExchanged, long keysCompared, long keysSent, long keysReceived,
    Map<String, String> peersFailed) {
  /** Copies {@code peersFailed}. */
  public RepairReport {
    peersFailed = Map.copyOf(peersFailed);
  }
}
