package dev.kvstore.core;

/**
 * The operation was sent to a node and no answer came: the node did not reply in time, the connection closed
 * after the request left, or the node failed unexpectedly. The operation may or may not have been applied. A
 * read may simply be repeated ({@link #isRetrySafe()} is true). A write was already retried by the cluster
 * under its operation id where that was possible (a coordinator that finds the id answers with the version it
 * made instead of minting another); a new {@code put} of the same value is a new operation, which may leave a
 * second version beside the first if the first was applied: read the key first and write with its context.
 */
public class OutcomeUnknownException extends NodeFailureException {
  private static final long serialVersionUID = 1L;
  private final boolean retrySafe;

  /**
   * Creates the exception.
   *
   * @param node the node that was sent the operation
   * @param message what happened, naming the node
   * @param retrySafe whether the operation may be repeated without effect (a read)
   * @param cause the failure underneath, or null
   */
  public OutcomeUnknownException(String node, String message, boolean retrySafe, Throwable cause) {
    super(node, message, cause);
    this.retrySafe = retrySafe;
  }

  /** True for a read; false for a write, whose new attempt would be a new operation. */
  @Override
  public boolean isRetrySafe() {
    return retrySafe;
  }
}
