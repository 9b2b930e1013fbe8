package dev.kvstore.net.internal.hints;

import java.time.Duration;

/**
 * Settings of hinted handoff. Immutable.
 *
 * @param window hints whose newest version is older than this are dropped, not delivered (anti-entropy
 *     repairs those keys)
 * @param interval how often a node looks for hints to deliver when it has nothing in flight
 * @param batch hints sent to one target at a time (the pace of delivery)
 */
public record HandoffOptions(Duration window, Duration interval, int batch) {
  /** A 3-hour window, delivery checked every second, 128 hints per target at a time. */
  public static final HandoffOptions DEFAULTS = new HandoffOptions(Duration.ofHours(3), Duration.ofSeconds(1), 128);

  /** Checks the ranges. */
  public HandoffOptions {
    if (window == null || window.toSeconds() < 1 || window.toDays() > 30) {
      throw new IllegalArgumentException("hint window must be 1 s to 30 days, got " + window);
    }
    if (interval == null || interval.toMillis() < 1 || interval.toMinutes() > 10) {
      throw new IllegalArgumentException("hint delivery interval must be 1 ms to 10 minutes, got " + interval);
    }
    if (batch < 1 || batch > 65_536) {
      throw new IllegalArgumentException("hint batch must be 1 to 65,536, got " + batch);
    }
  }

  /** These options with another window. */
  public HandoffOptions withWindow(Duration newWindow) {
    return new HandoffOptions(newWindow, interval, batch);
  }
}
