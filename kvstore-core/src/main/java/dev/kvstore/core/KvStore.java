package dev.kvstore.core;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A versioned key-value store: a local store ({@link #local()}) or a cluster node, behind one interface.
 *
 * <p>Every key holds a set of <em>siblings</em>: the values written concurrently (no write saw the
 * other), each with its own version. {@link #get} returns them with an opaque causal {@link Context};
 * passing that context back to {@link #put(byte[], byte[], Context)} or {@link #delete} supersedes exactly
 * the versions the reader saw, and leaves any version it did not see as a sibling. Nothing is silently
 * lost.
 *
 * <p>Keys and values are byte arrays (the store copies them); the {@code String} overloads use UTF-8.
 * Every operation has an {@code ...Async} twin. Bad arguments throw {@link InvalidRequestException}
 * at once, from both forms, and change nothing; a closed store throws {@link StoreClosedException}.
 * Failures that happen later (storage, replication) complete the future exceptionally with a
 * {@link KvStoreException}; the blocking forms throw it, and throw nothing else: an unexpected failure of
 * another type reaches them wrapped in a {@link KvStoreException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface KvStore extends AutoCloseable {

  /** Starts a builder for a store on this machine only (no network). */
  static LocalStoreBuilder local() {
    return new LocalStoreBuilder();
  }

  /** Reads the live siblings of {@code key} and the context to write with. */
  CompletableFuture<Versions> getAsync(byte[] key);

  /** Writes {@code value} superseding the versions {@code context} saw; completes with the new context. */
  CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context);

  /** Writes {@code value} superseding every version this store holds for {@code key} now. */
  CompletableFuture<Context> putAsync(byte[] key, byte[] value);

  /** Writes a tombstone superseding the versions {@code context} saw; completes with the new context. */
  CompletableFuture<Context> deleteAsync(byte[] key, Context context);

  /**
   * Reads the live siblings of {@code key}.
   *
   * @return the siblings (none when the key is absent or deleted) and the context to write with
   * @throws InvalidRequestException if the key is null, empty or too long
   * @throws StoreClosedException if the store is closed
   */
  default Versions get(byte[] key) {
    return Blocking.join(getAsync(key));
  }

  /**
   * Writes {@code value} as the successor of the versions {@code context} saw. Versions written
   * concurrently, which the context did not see, stay as siblings. {@link Context#empty()} supersedes
   * nothing.
   *
   * @return the context after the write: it covers the new version
   * @throws InvalidRequestException for a bad key, a null or too long value, or a foreign context
   * @throws StoreClosedException if the store is closed
   */
  default Context put(byte[] key, byte[] value, Context context) {
    return Blocking.join(putAsync(key, value, context));
  }

  /**
   * Writes {@code value} superseding every version of {@code key} this store holds (a blind overwrite).
   *
   * @return the context after the write
   * @throws InvalidRequestException for a bad key or a null or too long value
   * @throws StoreClosedException if the store is closed
   */
  default Context put(byte[] key, byte[] value) {
    return Blocking.join(putAsync(key, value));
  }

  /**
   * Deletes the versions {@code context} saw by writing a tombstone; a later put with the returned
   * context supersedes the tombstone. Tombstones are purged after the store's grace period.
   *
   * @return the context after the delete
   * @throws InvalidRequestException for a bad key or a foreign context
   * @throws StoreClosedException if the store is closed
   */
  default Context delete(byte[] key, Context context) {
    return Blocking.join(deleteAsync(key, context));
  }

  /** {@link #get(byte[])} with a UTF-8 key. */
  default Versions get(String key) {
    return get(utf8(key));
  }

  /** {@link #put(byte[], byte[], Context)} with a UTF-8 key and value. */
  default Context put(String key, String value, Context context) {
    return put(utf8(key), utf8(value), context);
  }

  /** {@link #put(byte[], byte[])} with a UTF-8 key and value. */
  default Context put(String key, String value) {
    return put(utf8(key), utf8(value));
  }

  /** {@link #delete(byte[], Context)} with a UTF-8 key. */
  default Context delete(String key, Context context) {
    return delete(utf8(key), context);
  }

  /** Closes the store: pending writes finish, files are closed, the directory lock is released. Idempotent. */
  @Override
  void close();

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
