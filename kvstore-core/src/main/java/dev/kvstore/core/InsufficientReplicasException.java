package dev.kvstore.core;

/**
 * A quorum operation heard from too few replicas in time. The write may still have reached some of
 * them: read again before deciding it failed.
 */
public class InsufficientReplicasException extends KvStoreException {
  private static final long serialVersionUID = 1L;
  private final int answered;
  private final int required;
  private final String firstFailure;
  private final java.util.List<String> missingReplicas;

  /** Creates the exception for an operation that needed {@code required} replies and got {@code answered}. */
  public InsufficientReplicasException(String operation, int answered, int required) {
    this(operation, answered, required, null);
  }

  /**
   * Creates the exception with what the first replica that failed said ({@code firstFailure}, null if none
   * failed: the others were silent), so a caller can tell a node that is down from one that is overloaded.
   */
  public InsufficientReplicasException(String operation, int answered, int required, String firstFailure) {
    this(operation, answered, required, firstFailure, java.util.List.of());
  }

  /**
   * Creates the exception naming the replicas that did not answer in time or failed ({@code missingReplicas},
   * node ids; empty if unknown), so a caller knows which nodes to look at.
   */
  public InsufficientReplicasException(String operation, int answered, int required, String firstFailure,
      java.util.List<String> missingReplicas) {
    super(operation + " needed " + required + " replica replies but only " + answered + " answered in time"
        + (missingReplicas.isEmpty() ? "" : " (no answer from " + String.join(", ", missingReplicas) + ")")
        + "; check that enough nodes are up, or lower the quorum"
        + (firstFailure == null ? "" : " (first failure: " + firstFailure + ")"), false);
    this.answered = answered;
    this.required = required;
    this.firstFailure = firstFailure;
    this.missingReplicas = java.util.List.copyOf(missingReplicas);
  }

  /** The node ids of the replicas that did not answer in time or failed; empty if unknown. */
  public java.util.List<String> missingReplicas() {
    return missingReplicas;
  }

  /**
   * What the first replica that failed said (for example that its log was full: an {@link
   * OverloadedException}, worth a retry after backing off), or null if the missing replicas were silent.
   */
  public String firstFailure() {
    return firstFailure;
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
