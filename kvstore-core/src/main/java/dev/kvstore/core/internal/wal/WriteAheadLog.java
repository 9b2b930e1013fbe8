package dev.kvstore.core.internal.wal;

import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.util.concurrent.CompletableFuture;

/**
 * A sequence-numbered, checksummed log of records that the store writes before applying them to its
 * engine.
 *
 * <p>Lifecycle: open, {@link #replay} once (records after the engine's durable sequence number),
 * {@link #start} the writer, {@link #append} from any thread, {@link #deleteThrough} after engine
 * checkpoints, {@link #close}.
 *
 * <p>Thread-safe: {@code append}, {@code deleteThrough}, {@code lastSequence}, {@code stats} and
 * {@code close} may be called from any thread; {@code replay} and {@code start} once each, in that
 * order, from the thread that opened the log.
 */
public interface WriteAheadLog extends AutoCloseable {

  /**
   * As the completer of an {@link #append(byte[], java.util.concurrent.Executor) append}: the appending thread
   * will wait for it and calls {@link #writeOnCaller} first, so the writer thread is not woken for it; its future
   * completes on whichever thread writes its group, inline (leader-follower group commit: with one writer at a
   * time, a blocking caller writes, forces and completes its own group with no thread hand-off at all).
   */
  java.util.concurrent.Executor CALLER_WRITES = Runnable::run;

  /**
   * Writes and forces what waits in the queue on the calling thread when no one else is writing (the writer
   * thread is idle), completing those appends; otherwise leaves them to the writer thread, which it wakes.
   * Called by a thread about to wait for an append it made with {@link #CALLER_WRITES}. The default does nothing
   * (a log without a queue).
   */
  default void writeOnCaller() {}

  /**
   * Replays, in order, every record with a sequence number above {@code afterSeq}. Call once,
   * before {@link #start}. Exceptions thrown by the handler propagate.
   *
   * @return the highest sequence number in the log, or {@code afterSeq} if that is higher or the
   *     log is empty
   * @throws IllegalArgumentException if afterSeq is negative or handler is null
   * @throws IllegalStateException if called twice or after start
   * @throws CorruptLogException if a record is corrupt
   * @throws StorageException if the log cannot be read, or records after {@code afterSeq} are
   *     missing
   */
  long replay(long afterSeq, RecordHandler handler);

  /**
   * Starts the single writer thread (a {@link WalOptions#callerDriven caller-driven} log starts none: its
   * appending event loops write it). Appends get sequence numbers {@code max(highest in log,
   * afterSeq given to replay) + 1}, then one more per append. After each group is written (and
   * forced, per the durability mode), the writer calls {@code listener.onDurable} on the writer
   * thread and only then completes those appends' futures with their sequence numbers. If the
   * listener throws, those futures fail with a {@link StorageException} and the log is broken: it fails
   * every later append until reopened, so the listener never sees a group after one it failed on.
   *
   * @throws IllegalArgumentException if listener is null
   * @throws IllegalStateException if already started or closed
   * @throws StorageException if the active segment cannot be opened or created
   */
  void start(GroupListener listener);

  /**
   * Enqueues a record; the future completes with its sequence number as described in {@link
   * #start}, on the writer thread (so dependent stages should not block). After {@link #close} the
   * future fails with {@link StoreClosedException}; after an I/O error of the log it fails with
   * {@link StorageException}; when too many appends wait for the disk it fails at once with {@link
   * dev.kvstore.core.OverloadedException} and nothing is written. Appends made before {@link #start} wait
   * in the queue until it runs (or fail with {@link StoreClosedException} if the log is closed first). The
   * payload is not copied: do not modify it afterwards.
   *
   * @throws IllegalArgumentException at once if payload is null or longer than the maximum record
   *     size
   */
  default CompletableFuture<Long> append(byte[] payload) {
    return append(payload, null);
  }

  /**
   * {@link #append(byte[])}, completing the future on {@code completer} instead of the writer thread: the
   * appends of one group that name the same executor are completed there by one task, so a group costs one
   * hand-off back per executor, not one per append. If the executor refuses the task (it is shutting down),
   * they are completed on the writer thread. Failures are completed on the thread that sees them.
   *
   * <p>An event loop ({@link dev.kvstore.core.internal.LoopExecutor}) appending with itself as the completer
   * (durability ALWAYS or NEVER) does not wake the writer thread: it writes, forces and completes the group
   * itself at the end of its pass, when it fits in the preallocated space of the segment; otherwise the writer
   * thread does, as for any other append.
   *
   * @param completer where to complete the future; null: on the thread that writes the group
   * @throws IllegalArgumentException at once if payload is null or longer than the maximum record
   *     size
   */
  CompletableFuture<Long> append(byte[] payload, java.util.concurrent.Executor completer);

  /**
   * Deletes every segment all of whose records have sequence numbers at or below {@code seq}, never
   * the active segment.
   *
   * @throws StorageException if a segment cannot be deleted
   */
  void deleteThrough(long seq);

  /**
   * The highest sequence number in the log: recovered at open (or the {@code afterSeq} given to
   * {@link #replay}, if higher), then the last one written.
   */
  long lastSequence();

  /** Counters since open. */
  WalStats stats();

  /**
   * Writes and forces everything already enqueued, completes its futures, stops the writer and
   * closes the files. Idempotent.
   */
  @Override
  void close();

  /**
   * Whether a write or force of the log failed: the log is broken and records appended before the failure
   * may be lost. A log that was only closed has not failed.
   */
  boolean failed();
}
