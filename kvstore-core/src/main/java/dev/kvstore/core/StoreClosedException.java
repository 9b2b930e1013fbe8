package dev.kvstore.core;

/** An operation on a store (or node) that has been closed. Open a new one. */
public class StoreClosedException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the store. */
  public StoreClosedException(String message) {
    super(message);
  }
}
