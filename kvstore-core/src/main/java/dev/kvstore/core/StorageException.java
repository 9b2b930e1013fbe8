package dev.kvstore.core;

/**
 * The disk failed under the store: an I/O error from the write-ahead log or an engine, wrapped with its
 * cause. The operation that saw it did not complete; the store may refuse further writes.
 */
public class StorageException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception around the I/O error that caused it. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message only. */
  public StorageException(String message) {
    super(message);
  }
}
