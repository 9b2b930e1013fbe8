package dev.kvstore.core.internal;

/**
 * Told of every change of a key's sibling set while the write holds the key's lock, right after the change is
 * appended to the log (before it is durable): the encoded set the key held before and the one it holds after.
 * Calls for one key come in the order of the key's writes, so a listener may keep something derived from the
 * current sets (issue 11's hash trees XOR the old set's hash out and the new one's in) without comparing clocks
 * or keeping a record per key. A write the log then fails leaves the store unwritable until it is reopened; what a
 * listener derived from it is rebuilt at that reopen. It runs under a key lock, on a write's thread (often an
 * event loop): keep it to a few hundred nanoseconds, never block and never call back into the store. Not API.
 */
@FunctionalInterface
public interface WriteListener {
  /**
   * Key {@code key} held {@code before} and now holds {@code after}.
   *
   * @param key the key; do not modify
   * @param before the encoded set before the change ({@link SiblingCodec}), or null when the key had no record
   * @param after the encoded set after the change, or null when the key's record was removed
   */
  void onWrite(byte[] key, byte[] before, byte[] after);
}
