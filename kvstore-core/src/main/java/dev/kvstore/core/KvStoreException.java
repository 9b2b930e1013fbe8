package dev.kvstore.core;

/**
 * The root of every exception kvstore throws. Unchecked: a caller catches the subclasses it can act on
 * ({@link InvalidRequestException}, {@link StoreClosedException}, {@link InsufficientReplicasException},
 * ...), and lets the rest propagate.
 */
public class KvStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that says what happened and what to do. */
  public KvStoreException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause it wraps. */
  public KvStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** For expected outcomes that need no stack trace. */
  protected KvStoreException(String message, boolean writableStackTrace) {
    super(message, null, false, writableStackTrace);
  }

  /** For expected outcomes that need no stack trace, with the cause they wrap (may be null). */
  protected KvStoreException(String message, Throwable cause, boolean writableStackTrace) {
    super(message, cause, false, writableStackTrace);
  }
}
