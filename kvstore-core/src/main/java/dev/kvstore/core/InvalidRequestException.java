package dev.kvstore.core;

/**
 * A request the store refuses because of its arguments: a null or empty key, a key or value over the
 * configured limit, a context from another store. Nothing was changed.
 */
public class InvalidRequestException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the argument and the allowed range. */
  public InvalidRequestException(String message) {
    super(message);
  }
}
