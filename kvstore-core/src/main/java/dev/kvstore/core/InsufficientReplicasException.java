package dev.kvstore.core;

/**
 * A quorum operation heard from too few replicas in time. The write may still have reached some of
 * them: read again before deciding it failed.
 */
public class InsufficientReplicasException extends KvStoreException {
  private static final long serialVersionUID = 1L;
  private final int answered;
  private final int required;

  /** Creates the exception for an operation that needed {@code required} replies and got {@code answered}. */
  public InsufficientReplicasException(String operation, int answered, int required) {
    super(operation + " needed " + required + " replica replies but only " + answered
        + " answered in time; check that enough nodes are up, or lower the quorum", false);
    this.answered = answered;
    this.required = required;
  }

  /** How many replicas answered. */
  public int answered() {
    return answered;
  }

  /** How many were needed. */
  public int required() {
    return required;
  }
}
