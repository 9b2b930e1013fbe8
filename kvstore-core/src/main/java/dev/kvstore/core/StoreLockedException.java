package dev.kvstore.core;

/** The data directory is already open, in this process or another: one store per directory. */
public class StoreLockedException extends KvStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the directory. */
  public StoreLockedException(String message) {
    super(message);
  }
}
