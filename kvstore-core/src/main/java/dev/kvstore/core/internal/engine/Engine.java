package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.util.List;

/**
 * A sorted byte-key store under the write-ahead log.
 *
 * <p>Every write carries the sequence number of the log record it comes from; the engine persists
 * that number together with the data, so after a crash the store replays the log only after {@link
 * #durableSequence()}. Keys are ordered unsigned-lexicographically (0xFF sorts after 0x01).
 *
 * <p>Byte arrays handed in ({@link Write}) and out ({@link #get}, {@link EntryVisitor}) are not
 * copied by every implementation: callers must not modify them afterwards.
 *
 * <p>Thread-safe: {@link #get}, {@link #scan}, {@link #approximateKeys} and {@link #checkpoint} may
 * run concurrently with {@link #apply}; {@code apply} calls come one at a time, in sequence order (from the
 * log's applier, or the holder of the log writer's lock: its writer thread or an event loop writing its own
 * pass's appends).
 */
public interface Engine extends AutoCloseable {

  /**
   * The highest sequence number whose effects survive a process or machine crash without the log; 0
   * for a new engine. Read at open; advanced by {@link #checkpoint()}. A lower bound: an engine may
   * have persisted more on its own.
   *
   * @throws StoreClosedException if the engine is closed
   */
  long durableSequence();

  /**
   * The highest sequence number applied, never below {@link #durableSequence()}.
   *
   * @throws StoreClosedException if the engine is closed
   */
  long appliedSequence();

  /**
   * The value stored under {@code key}, or null if there is none.
   *
   * @throws IllegalArgumentException if key is null
   * @throws StoreClosedException if the engine is closed
   * @throws StorageException if the engine cannot read
   */
  byte[] get(byte[] key);

  /**
   * What {@link #getCached} returns when the answer needs a read from disk. Compare by identity; never a
   * stored value.
   */
  byte[] NOT_CACHED = new byte[0];

  /**
   * {@link #get}, but only from memory: the value, null if there is none, or {@link #NOT_CACHED} when
   * answering would read from disk. Never blocks on I/O, so a network event loop may call it. An engine
   * that holds everything in memory answers as {@link #get} does.
   *
   * @throws IllegalArgumentException if key is null
   * @throws StoreClosedException if the engine is closed
   * @throws StorageException if the engine cannot read
   */
  default byte[] getCached(byte[] key) {
    return get(key);
  }

  /**
   * Applies a group of writes atomically together with the sequence number {@code seq}, the highest
   * in the group. A write with a null value removes its key. After a crash either the whole group
   * (and {@code seq}) is there or none of it.
   *
   * @throws IllegalArgumentException if {@code seq <= appliedSequence()}, or writes is null or
   *     holds null
   * @throws StoreClosedException if the engine is closed
   * @throws StorageException if the engine cannot write
   */
  void apply(long seq, List<Write> writes);

  /**
   * Makes everything applied so far durable and returns the new {@link #durableSequence()}.
   *
   * @throws StoreClosedException if the engine is closed
   * @throws StorageException if the engine cannot persist
   */
  long checkpoint();

  /**
   * Visits the keys in {@code [fromInclusive, toExclusive)} in unsigned lexicographic order until
   * the visitor returns false. A null bound means unbounded. Each implementation states how
   * consistent the view is.
   *
   * @throws IllegalArgumentException if visitor is null
   * @throws StoreClosedException if the engine is closed
   * @throws StorageException if the engine cannot read
   */
  void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor);

  /**
   * The approximate number of keys, for statistics.
   *
   * @throws StoreClosedException if the engine is closed
   */
  long approximateKeys();

  /**
   * Checkpoints (durable engines) and releases every resource. Idempotent: closing twice is no
   * error.
   *
   * @throws StorageException if the final checkpoint fails (resources are released all the same)
   */
  @Override
  void close();
}
