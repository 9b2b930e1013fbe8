package dev.kvstore.net.internal.antientropy;

/**
 * Anti-entropy counters of one replica range since the node started. Thread-safe: every method holds the
 * instance's monitor.
 */
final class RangeStats {
  private final String range;
  private String lastPeer = ""; // guarded by this
  private long lastExchangeMillis; // guarded by this
  private long keysRepaired; // guarded by this
  private long bytesSent; // guarded by this
  private boolean inSync; // guarded by this

  RangeStats(String range) {
    this.range = range;
  }

  synchronized void exchanged(String peer, long endMillis, long keys, boolean equal) {
    lastPeer = peer;
    lastExchangeMillis = endMillis;
    keysRepaired += keys;
    inSync = equal;
  }

  synchronized void sent(long bytes) {
    bytesSent += bytes;
  }

  synchronized AntiEntropy.RangeState snapshot() {
    return new AntiEntropy.RangeState(range, lastPeer, lastExchangeMillis, keysRepaired, bytesSent, inSync);
  }
}
