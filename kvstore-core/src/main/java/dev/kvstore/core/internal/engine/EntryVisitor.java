package dev.kvstore.core.internal.engine;

/** A callback that receives the entries of an {@link Engine#scan}, one at a time, in key order. */
@FunctionalInterface
public interface EntryVisitor {

  /**
   * Receives one entry; returns true to continue the scan, false to stop it.
   *
   * @param key the key (do not modify)
   * @param value the value (do not modify)
   */
  boolean visit(byte[] key, byte[] value);
}
