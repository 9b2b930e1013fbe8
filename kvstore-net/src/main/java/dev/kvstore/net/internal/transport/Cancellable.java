package dev.kvstore.net.internal.transport;

/** A scheduled task that can still be cancelled. Implementations are thread-safe. */
@FunctionalInterface
public interface Cancellable {

  /** Cancels the task if it has not run yet; does nothing otherwise. Idempotent. */
  void cancel();
}
