package dev.kvstore.clock;

/**
 * The vector clock of one process, applying the rules of Mattern and Fidge: before a local or send
 * event the process increments its own entry; on receive it merges the message's timestamp into its
 * clock and then increments its own entry.
 *
 * <p>Thread-safe: every method is atomic (the current clock is guarded by {@code this}).
 */
public final class ProcessClock {
  private final String processId;
  private VectorClock clock = VectorClock.empty(); // guarded by this

  /**
   * Creates the clock of process {@code processId}, starting empty.
   *
   * @throws NullPointerException if {@code processId} is null
   * @throws IllegalArgumentException if {@code processId} is not a valid node id
   */
  public ProcessClock(String processId) {
    this.processId = NodeIds.check(processId, "processId");
  }

  /** Returns the id of the process this clock belongs to. */
  public String processId() {
    return processId;
  }

  /** Records a local event and returns its timestamp. */
  public synchronized VectorClock localEvent() {
    clock = clock.increment(processId);
    return clock;
  }

  /** Records a send event and returns the timestamp to attach to the message. */
  public synchronized VectorClock send() {
    return localEvent();
  }

  /**
   * Records the receipt of a message stamped with {@code message} and returns the receive event's
   * timestamp.
   *
   * @throws NullPointerException if {@code message} is null
   * @throws IllegalArgumentException if the merged clock would exceed {@value
   *     VectorClock#MAX_ENTRIES} entries
   */
  public synchronized VectorClock receive(VectorClock message) {
    if (message == null) {
      throw new NullPointerException("message must not be null");
    }
    clock = clock.merge(message).increment(processId);
    return clock;
  }

  /** Returns the timestamp of the latest event, without recording one. */
  public synchronized VectorClock current() {
    return clock;
  }

  @Override
  public synchronized String toString() {
    return "ProcessClock[" + processId + " " + clock + "]";
  }
}
