package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StoreClosedException;

/**
 * What both engines keep alike: the applied and durable sequence numbers and the closed flag, read only while
 * the engine is open. Each subclass sets both numbers when it opens, says what guards their writes, and names
 * itself in {@code toString()} (used in the closed message). Not API.
 */
abstract class SequencedEngine implements Engine {
  /** The sequence number of the last group applied. */
  protected volatile long applied;
  /** The sequence number through which every applied group is durable in the engine itself. */
  protected volatile long durable;
  /** Set once, when the engine closes. */
  protected volatile boolean closed;

  @Override
  public final long durableSequence() {
    checkOpen();
    return durable;
  }

  @Override
  public final long appliedSequence() {
    checkOpen();
    return applied;
  }

  /**
   * Fails unless the engine is open.
   *
   * @throws StoreClosedException naming the engine
   */
  protected final void checkOpen() {
    if (closed) {
      throw new StoreClosedException(this + " is closed");
    }
  }
}
