package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;

/**
 * Told about every change applied to a key, after it is durable, in the order changes to that key were
 * applied. Called while the key is locked: keep it short and never call back into the store. Not API.
 */
@FunctionalInterface
public interface ChangeListener {
  /** {@code set} is the key's whole sibling set after the change (empty when the key was purged). */
  void onChange(byte[] key, DvvSet<StoredValue> set);
}
