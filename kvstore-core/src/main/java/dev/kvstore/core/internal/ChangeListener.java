package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;

/**
 * Told about every change applied to a key, after it is durable, in the order changes to that key were
 * applied. Called on the log's writer or applier thread (or the writing thread when the store has no log): keep it
 * short, never block and never call back into the store (a blocking store call there would wait for the
 * thread it runs on). Not API.
 */
@FunctionalInterface
public interface ChangeListener {
  /** {@code set} is the key's whole sibling set after the change (empty when the key was purged). */
  void onChange(byte[] key, DvvSet<StoredValue> set);
}
