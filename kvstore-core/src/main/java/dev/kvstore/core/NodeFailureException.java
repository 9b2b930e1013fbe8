package dev.kvstore.core;

import java.util.Objects;

/**
 * A node of the cluster could not complete an operation: the public form of every peer failure (unreachable,
 * refused, no answer in time, connection lost). {@link #node()} names the node and {@link #isRetrySafe()} says
 * whether sending the same operation again cannot apply it twice. The two kinds: {@link
 * NodeUnavailableException} (the operation did not run there) and {@link OutcomeUnknownException} (it may have).
 *
 * <p>Expected outcomes of distributed operation, so no stack trace is filled in unless there is a cause.
 */
public abstract class NodeFailureException extends KvStoreException {
  private static final long serialVersionUID = 1L;
  private final String node;

  /**
   * Creates the exception.
   *
   * @param node the id of the node that failed the operation
   * @param message what happened and what to do
   * @param cause the failure underneath, or null
   */
  protected NodeFailureException(String node, String message, Throwable cause) {
    super(message, cause, false);
    this.node = Objects.requireNonNull(node, "node");
  }

  /** The id of the node that failed the operation ({@code "?"} when the transport could not tell). */
  public String node() {
    return node;
  }

  /** Whether the same operation may be sent again without the risk of applying it twice. */
  public abstract boolean isRetrySafe();
}
