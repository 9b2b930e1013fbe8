package dev.kvstore.clock;

import java.time.Instant;
import java.time.InstantSource;

/** A physical clock the test sets by hand. Not thread-safe beyond volatile reads. */
final class ManualTime implements InstantSource {
  private volatile long millis;

  ManualTime(long millis) {
    this.millis = millis;
  }

  void set(long millis) {
    this.millis = millis;
  }

  void advance(long delta) {
    millis += delta;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }
}
