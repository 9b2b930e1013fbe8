package dev.kvstore.core;

/**
 * The operation did not run on the node: it could not be sent (the node is unknown, unreachable, or the
 * connection was refused or backing off), or the node refused it before doing anything (it is stopping, or it
 * takes no writes since its write-ahead log failed; reads still work there). Nothing was applied, so sending
 * the operation again is safe; it is retried on the next replica where the cluster can.
 */
public class NodeUnavailableException extends NodeFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param node the node that was unavailable
   * @param message what happened, naming the node
   */
  public NodeUnavailableException(String node, String message) {
    super(node, message, null);
  }

  /**
   * Creates the exception around the failure underneath.
   *
   * @param node the node that was unavailable
   * @param message what happened, naming the node
   * @param cause the failure underneath
   */
  public NodeUnavailableException(String node, String message, Throwable cause) {
    super(node, message, cause);
  }

  /** Always true: the operation did not run. */
  @Override
  public boolean isRetrySafe() {
    return true;
  }
}
