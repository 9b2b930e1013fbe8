package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;

/**
 * Told about every change applied to a key, after it is durable, on the thread that completes the write: the
 * write's completer (an event loop, the store's executor) or the log's thread (or the writing thread when the
 * store has no log). Two changes of one key completed on different threads may be reported out of order:
 * compare the sets' clocks rather than rely on the order of calls, or use a {@link WriteListener}, which hears
 * one key's changes in order. Keep it short,
 * never block and never call back into the store (a blocking store call there would wait for the thread it
 * runs on). Not API.
 */
@FunctionalInterface
public interface ChangeListener {
  /** {@code set} is the key's whole sibling set after the change (empty when the key was purged). */
  void onChange(byte[] key, DvvSet<StoredValue> set);
}
