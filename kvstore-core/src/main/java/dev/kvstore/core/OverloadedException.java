package dev.kvstore.core;

/**
 * A store or node refused an operation because its queues are full: its log has more writes waiting for the
 * disk than it accepts, or a node has too many requests in flight. Nothing of the refused operation was
 * written, so retrying it after backing off is safe; a caller that sees this often is sending faster than
 * the disk or the node can go. Expected under overload, so it carries no stack trace.
 */
public class OverloadedException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the store or node and the bound that was reached. */
  public OverloadedException(String message) {
    super(message, false);
  }

  /** Always true: a refused operation changed nothing, so it may be sent again after backing off. */
  public boolean isRetryable() {
    return true;
  }
}
