package dev.kvstore.core.internal.wal;

import dev.kvstore.core.OverloadedException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.ToLongFunction;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The appends waiting for the writer thread, and whether more may come. Bounded by count and bytes: an append
 * that would take the queue past either bound is refused at once with {@link OverloadedException} (nothing
 * of it is written), so a disk that cannot keep up raises latency and refusals, never the heap. A lone append
 * larger than the byte bound is still taken when the queue is empty.
 *
 * <p>Thread-safe: every field is guarded by {@code lock}. Because adding checks {@code closed} and
 * {@code failure} under the same lock the writer drains under, no append can be stranded: once
 * closed, nothing new enters, and the writer stops only when the queue is empty.
 */
final class AppendQueue {

  /** The most payload bytes that may wait for the writer. */
  static final long DEFAULT_MAX_BYTES = 64L << 20;

  /**
   * One append waiting to be written.
   *
   * @param payload the record payload
   * @param future completed with the record's seq
   * @param completer where the future is completed (with the other appends of its group that name the
   *     same executor, in one task); null: on the log's own thread
   */
  record Pending(byte[] payload, CompletableFuture<Long> future, Executor completer) {}

  private final String logName;
  private final int maxRecords;
  private final long maxBytes;
  private long queuedBytes; // guarded by lock
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private boolean closed; // guarded by lock
  private boolean writerIdle; // guarded by lock: the writer thread waits in await with nothing to do
  private StorageException failure; // guarded by lock

  AppendQueue(String logName, int maxRecords) {
    this(logName, maxRecords, DEFAULT_MAX_BYTES);
  }

  AppendQueue(String logName, int maxRecords, long maxBytes) {
    this.logName = logName;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** Whether the log failed (an I/O error): appends made before may not be on disk. */
  boolean failed() {
    lock.lock();
    try {
      return failure != null;
    } finally {
      lock.unlock();
    }
  }

  /** Whether appends wait for the writer's next group. */
  boolean hasWaiting() {
    lock.lock();
    try {
      return !queue.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Enqueues {@code payload}, or returns a failed future if the log is closed or broken, or the queue is
   * full ({@link OverloadedException}).
   */
  CompletableFuture<Long> add(byte[] payload, Executor completer) {
    return enqueue(payload, completer, true);
  }

  /**
   * {@link #add(byte[], Executor)} without signalling the writer thread: the caller, an event loop, writes the
   * queue itself at the end of its pass ({@link WalWriter#syncOnCaller}) or wakes the writer with {@link
   * #wakeWriter}.
   */
  CompletableFuture<Long> addQuietly(byte[] payload, Executor completer) {
    return enqueue(payload, completer, false);
  }

  /**
   * {@link #add(byte[], Executor)} with no completer, for a caller that may write the group itself: when nothing
   * else waits and the writer thread is idle (waiting in {@link #await}), the writer is not signalled and {@code
   * leads[0]} is set (the caller should then write it, {@link WalWriter#syncOnCaller}); otherwise the writer is
   * signalled as for {@code add}, so that it takes everything waiting in one group.
   */
  CompletableFuture<Long> addLeading(byte[] payload, boolean[] leads) {
    lock.lock();
    try {
      leads[0] = queue.isEmpty() && writerIdle;
      return enqueue(payload, null, !leads[0]);
    } finally {
      lock.unlock();
    }
  }

  private CompletableFuture<Long> enqueue(byte[] payload, Executor completer, boolean wake) {
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(
            new StoreClosedException("write-ahead log " + logName + " is closed"));
      }
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (!queue.isEmpty() && (queue.size() >= maxRecords || queuedBytes + payload.length > maxBytes)) {
        return CompletableFuture.failedFuture(new OverloadedException("write-ahead log " + logName + " has "
            + queue.size() + " appends (" + queuedBytes + " bytes) waiting for the disk, its limit (" + maxRecords
            + " appends, " + maxBytes + " bytes); nothing was written, back off and retry"));
      }
      CompletableFuture<Long> future = new CompletableFuture<>();
      queue.add(new Pending(payload, future, completer));
      queuedBytes += payload.length;
      if (wake) {
        changed.signal();
      }
      return future;
    } finally {
      lock.unlock();
    }
  }

  /** What {@link #await} saw. */
  enum State { WORK, IDLE, END }

  /**
   * Waits up to {@code timeoutNanos} until appends wait or the queue is closed and empty.
   *
   * @return WORK if appends wait, IDLE if the wait timed out, END if the queue is closed and empty
   * @throws InterruptedException if the writer thread is interrupted while waiting
   */
  State await(long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long wait = timeoutNanos;
      while (queue.isEmpty() && !closed) {
        if (wait <= 0) {
          return State.IDLE;
        }
        writerIdle = true;
        try {
          wait = changed.awaitNanos(wait);
        } finally {
          writerIdle = false;
        }
      }
      return queue.isEmpty() ? State.END : State.WORK;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the writer thread (an append was added without waking it, and the caller cannot write it). */
  void wakeWriter() {
    lock.lock();
    try {
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next group without waiting: none, or at least one append, at most {@code maxRecords} and,
   * beyond the first, at most {@code maxBytes} of payload. Called only by the holder of the writer's lock,
   * so groups leave the queue, and take their sequence numbers, in the order they were added.
   */
  List<Pending> poll(int maxRecords, long maxBytes) {
    return take(maxRecords, maxBytes, p -> p.payload().length, true);
  }

  /**
   * Takes the next group without waiting, all of whose records fit in {@code recordBytes} bytes of segment
   * (headers included): none if even the first does not. Called only by the holder of the writer's lock.
   */
  List<Pending> pollWithin(int maxRecords, long recordBytes) {
    return take(maxRecords, recordBytes, p -> SegmentFormat.recordBytes(p.payload().length), false);
  }

  /** Takes appends in order while their {@code size} stays within {@code limit} (the first always, if asked). */
  private List<Pending> take(int maxRecords, long limit, ToLongFunction<Pending> size, boolean firstAlways) {
    lock.lock();
    try {
      List<Pending> group = new ArrayList<>(Math.min(queue.size(), maxRecords));
      long total = 0;
      while (!queue.isEmpty() && group.size() < maxRecords
          && ((firstAlways && group.isEmpty()) || total + size.applyAsLong(queue.peek()) <= limit)) {
        Pending next = queue.poll();
        total += size.applyAsLong(next);
        queuedBytes -= next.payload().length;
        group.add(next);
      }
      return group;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses further appends; the writer drains what is queued and stops. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses further appends with {@code cause} and returns what was queued, for the caller to fail.
   */
  List<Pending> fail(StorageException cause) {
    lock.lock();
    try {
      failure = cause;
      return drainLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the queue and returns what was queued, for a log that never started its writer. */
  List<Pending> closeAndDrain() {
    lock.lock();
    try {
      closed = true;
      return drainLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Empties the queue and returns what it held. Guarded by lock. */
  private List<Pending> drainLocked() {
    List<Pending> drained = new ArrayList<>(queue);
    queue.clear();
    queuedBytes = 0;
    return drained;
  }
}
