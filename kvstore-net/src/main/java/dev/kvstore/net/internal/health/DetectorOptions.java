package dev.kvstore.net.internal.health;

import java.time.Duration;

/**
 * Settings of the failure detector. Immutable.
 *
 * @param heartbeatInterval how often a peer that was sent nothing else gets a heartbeat, and how often phi is
 *     checked
 * @param phiThreshold the suspicion at which a peer is treated as down (Cassandra and Akka use 8)
 * @param acceptablePause silence beyond the usual interval that is not yet suspicious (a GC pause, jitter)
 * @param minStdDev the least deviation of the intervals assumed, so a very regular link is not suspected for
 *     one late heartbeat
 */
public record DetectorOptions(Duration heartbeatInterval, double phiThreshold, Duration acceptablePause,
    Duration minStdDev) {
  /** 500 ms heartbeats, phi 8, 1 s acceptable pause, 100 ms least deviation: a stopped peer is DOWN in about 2.5 s. */
  public static final DetectorOptions DEFAULTS =
      new DetectorOptions(Duration.ofMillis(500), 8.0, Duration.ofSeconds(1), Duration.ofMillis(100));

  /** Checks the ranges. */
  public DetectorOptions {
    if (heartbeatInterval == null || heartbeatInterval.toMillis() < 1 || heartbeatInterval.toSeconds() > 60) {
      throw new IllegalArgumentException("heartbeat interval must be 1 ms to 60 s, got " + heartbeatInterval);
    }
    if (!(phiThreshold >= 1 && phiThreshold <= 100)) {
      throw new IllegalArgumentException("phi threshold must be between 1 and 100, got " + phiThreshold);
    }
    if (acceptablePause == null || acceptablePause.isNegative() || acceptablePause.toMinutes() > 10) {
      throw new IllegalArgumentException("acceptable pause must be 0 to 10 minutes, got " + acceptablePause);
    }
    if (minStdDev == null || minStdDev.toMillis() < 1 || minStdDev.toSeconds() > 60) {
      throw new IllegalArgumentException("least standard deviation must be 1 ms to 60 s, got " + minStdDev);
    }
  }

  /** These options with another interval and threshold. */
  public DetectorOptions with(Duration interval, double threshold) {
    return new DetectorOptions(interval, threshold, acceptablePause, minStdDev);
  }
}
