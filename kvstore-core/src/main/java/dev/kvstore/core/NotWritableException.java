package dev.kvstore.core;

/**
 * A store refused a write because it takes no writes since its write-ahead log failed (an I/O error, a full
 * disk): the engine may lack versions the store already handed out, and minting on top of them could reissue
 * their dots. Nothing of the refused write was applied. Reads still work; the store takes writes again once it
 * is reopened (as a new incarnation). A cluster node in this state answers writes as unavailable, so they go
 * to other replicas, and says why in {@code KvNode.writeRefusal()}.
 */
public class NotWritableException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the store and the log's failure
   * @param cause the log's failure
   */
  public NotWritableException(String message, Throwable cause) {
    super(message, cause);
  }
}
