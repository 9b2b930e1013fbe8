package dev.kvstore.core;

import dev.kvstore.core.internal.Futures;
import java.util.concurrent.CompletableFuture;

/**
 * The blocking forms of {@link KvStore}'s operations: waits for the future and surfaces every failure as a
 * {@link KvStoreException} (an unexpected unchecked one wrapped, with its cause), so a caller's catch block sees
 * only the public hierarchy. Package-private: keeps {@code KvStore} free of internal types. Thread-safe
 * (stateless).
 */
final class Blocking {
  private Blocking() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return Futures.join(future);
    } catch (KvStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new KvStoreException("the store failed unexpectedly: " + e, e);
    }
  }
}
