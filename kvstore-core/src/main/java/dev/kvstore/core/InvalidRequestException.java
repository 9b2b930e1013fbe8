package dev.kvstore.core;

/**
 * A request the store refuses because of its arguments: a null or empty key, a key or value over the
 * configured limit, a context from another store. Nothing was changed. {@link #reason()} tells which.
 */
public class InvalidRequestException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the request. */
  public enum Reason {
    /** The key was null. */
    NULL_KEY,
    /** The key had no bytes. */
    EMPTY_KEY,
    /** The key was longer than the store's key limit. */
    KEY_TOO_LARGE,
    /** The value was null (use delete to remove a key). */
    NULL_VALUE,
    /** The value was longer than the store's value limit. */
    VALUE_TOO_LARGE,
    /** The write would make the key's sibling set larger than the store's {@code maxSetBytes}. */
    SET_TOO_LARGE,
    /** The context was null. */
    NULL_CONTEXT,
    /** The context came from another store or cluster. */
    FOREIGN_CONTEXT,
    /** Any other bad argument. */
    OTHER
  }

  private final Reason reason;

  /** Creates the exception; the message names the argument and the allowed range. */
  public InvalidRequestException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Creates the exception with reason {@link Reason#OTHER}. */
  public InvalidRequestException(String message) {
    this(Reason.OTHER, message);
  }

  /** What was wrong with the request. */
  public Reason reason() {
    return reason;
  }
}
