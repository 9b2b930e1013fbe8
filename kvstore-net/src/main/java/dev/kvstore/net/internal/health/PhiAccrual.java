package dev.kvstore.net.internal.health;

/**
 * The phi-accrual failure detector of Hayashibara et al. (2004), in the form Akka and Cassandra use: it keeps
 * a window of the intervals between a peer's heartbeats and answers, for the time since the last one, how
 * unlikely the silence is, as {@code phi = -log10(P(a heartbeat comes later than now))}. phi 1 means a 10%
 * chance that the peer is still fine, phi 8 one in 10^8.
 *
 * <p>The intervals are modelled as a normal distribution (through the logistic approximation of its tail that
 * Akka uses), with two guards against false suspicion: the standard deviation never goes below {@code
 * minStdDev}, so a very regular link does not turn one late heartbeat into a failure, and {@code
 * acceptablePause} is added to the mean, so a garbage-collection pause or a burst of jitter of that length
 * is not a failure either.
 *
 * <p>Times are in nanoseconds from any monotonic source (the node's scheduler, virtual in simulation). Not
 * thread-safe: its owner serializes calls.
 */
final class PhiAccrual {
  private final long[] intervals;
  private final double minStdDevNanos;
  private final double acceptablePauseNanos;
  private int count;
  private int next;
  private double sum;
  private double sumOfSquares;
  private long lastArrival;

  /**
   * A detector whose history starts with one interval of {@code firstEstimate}, as if a heartbeat arrived
   * at {@code start}: a peer that is never heard from is suspected like one that went silent then.
   */
  PhiAccrual(int window, long firstEstimateNanos, long minStdDevNanos, long acceptablePauseNanos, long start) {
    if (window < 2 || firstEstimateNanos <= 0 || minStdDevNanos <= 0 || acceptablePauseNanos < 0) {
      throw new IllegalArgumentException("need window >= 2, a positive first estimate and std dev, a pause >= 0");
    }
    this.intervals = new long[window];
    this.minStdDevNanos = minStdDevNanos;
    this.acceptablePauseNanos = acceptablePauseNanos;
    // Akka primes the history with mean +- mean/4, so the first real intervals do not face a zero deviation.
    add(firstEstimateNanos - firstEstimateNanos / 4);
    add(firstEstimateNanos + firstEstimateNanos / 4);
    this.lastArrival = start;
  }

  /** Records a heartbeat (any message from the peer) at {@code now}. */
  void heartbeat(long now) {
    long interval = now - lastArrival;
    if (interval > 0) {
      add(interval);
      lastArrival = now;
    }
  }

  /** The time of the last heartbeat. */
  long lastArrival() {
    return lastArrival;
  }

  /** Suspicion at {@code now}: 0 right after a heartbeat, growing with the silence; never negative. */
  double phi(long now) {
    double mean = sum / count + acceptablePauseNanos;
    double variance = sumOfSquares / count - (sum / count) * (sum / count);
    double stdDev = Math.max(Math.sqrt(Math.max(variance, 0)), minStdDevNanos);
    double y = (now - lastArrival - mean) / stdDev;
    double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    double phi = now - lastArrival > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    return Math.max(0, phi);
  }

  private void add(long interval) {
    if (count == intervals.length) {
      long old = intervals[next];
      sum -= old;
      sumOfSquares -= (double) old * old;
    } else {
      count++;
    }
    intervals[next] = interval;
    next = (next + 1) % intervals.length;
    sum += interval;
    sumOfSquares += (double) interval * interval;
  }
}
