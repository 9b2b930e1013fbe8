package dev.kvstore.core.internal.wal;

import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's single writer: takes groups of appends off the queue, numbers them, writes each group
 * with one write per segment it touches, forces as the durability mode requires, hands the group to
 * the listener and completes the futures.
 *
 * <p>Implementation notes. Group commit: the queue hands over everything waiting (up to {@value
 * #MAX_GROUP_RECORDS} records or {@value #MAX_GROUP_BYTES} bytes), so while one {@code force()}
 * runs the next group accumulates. {@code PERIODIC} forces when the interval has elapsed since the
 * last force, after a write or when idle (the queue wait times out at the deadline). A segment is
 * rolled when the next record would take it past {@code segmentBytes}; the old one is forced first,
 * whatever the mode. After an I/O error the log is broken: the group in flight and everything
 * queued fail, later appends fail at once, since sequence numbers already handed out may or may not
 * be on disk.
 *
 * <p>Thread-safety: {@link #run} runs on the writer thread, which alone touches the active segment,
 * the buffer and the sequence counter; the counters are volatile, written only by the writer,
 * readable from any thread.
 */
final class WalWriter implements Runnable {
  /** The most records in one group. */
  static final int MAX_GROUP_RECORDS = 4096;

  /** The most payload bytes in one group (a larger single record still forms a group of one). */
  static final long MAX_GROUP_BYTES = 4L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);
  private static final int INITIAL_BUFFER_BYTES = 64 << 10;

  private final AppendQueue queue;
  private final SegmentFiles files;
  private final WalOptions options;
  private final GroupListener listener;
  private final LongSupplier ticker;
  private final long intervalNanos;

  // Writer thread only.
  private ActiveSegment active;
  private long nextSeq;
  private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES).order(SegmentFormat.ORDER);
  private boolean dirty;
  private long lastForceNanos;
  private List<AppendQueue.Pending> inFlight = List.of();

  // Written by the writer thread only, read by any.
  private volatile long lastSeq;
  private volatile long appends;
  private volatile long groups;
  private volatile long forces;
  private volatile long bytes;

  WalWriter(
      AppendQueue queue,
      SegmentFiles files,
      WalOptions options,
      GroupListener listener,
      ActiveSegment active,
      long nextSeq) {
    this.queue = queue;
    this.files = files;
    this.options = options;
    this.listener = listener;
    this.ticker = options.nanoTicker();
    this.intervalNanos = options.durability().interval().toNanos();
    this.active = active;
    this.nextSeq = nextSeq;
    this.lastSeq = nextSeq - 1;
  }

  @Override
  public void run() {
    try {
      lastForceNanos = ticker.getAsLong();
      List<AppendQueue.Pending> group;
      while ((group = queue.take(waitNanos(), MAX_GROUP_RECORDS, MAX_GROUP_BYTES)) != null) {
        if (group.isEmpty()) {
          forceIfDue();
        } else {
          write(group);
        }
      }
      if (dirty) {
        force();
      }
      active.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    } catch (IOException | RuntimeException | Error e) {
      fail(e);
    }
  }

  /** The sequence number of the last record written. */
  long lastSeq() {
    return lastSeq;
  }

  /** The counters, with {@code segments} filled in by the caller. */
  WalStats stats(int segments) {
    return new WalStats(appends, groups, forces, bytes, segments);
  }

  private void write(List<AppendQueue.Pending> group) throws IOException {
    inFlight = group;
    List<WalRecord> records = new ArrayList<>(group.size());
    long written = 0;
    buffer.clear();
    for (AppendQueue.Pending pending : group) {
      int n = SegmentFormat.recordBytes(pending.payload().length);
      boolean hasRecords = !active.isEmpty() || buffer.position() > 0;
      if (hasRecords && active.size() + buffer.position() + n > options.segmentBytes()) {
        flush();
        roll();
      }
      reserve(n);
      SegmentFormat.putRecord(buffer, nextSeq, pending.payload());
      records.add(new WalRecord(nextSeq++, pending.payload()));
      written += n;
    }
    flush();
    afterWrite();
    lastSeq = nextSeq - 1;
    appends += group.size();
    groups++;
    bytes += written;
    deliver(group, records);
    inFlight = List.of();
  }

  /**
   * Hands the durable group to the listener, then completes its appends. A listener failure breaks the log
   * (as an I/O error does): the engine behind the listener must stay a gapless prefix of the log, so no
   * later group may be applied after one that was not. The failed group is durable in the log and is
   * replayed when the store reopens; its callers see a failure, an outcome they must treat as unknown.
   */
  private void deliver(List<AppendQueue.Pending> group, List<WalRecord> records) {
    try {
      listener.onDurable(Collections.unmodifiableList(records));
    } catch (RuntimeException e) {
      throw new StorageException("applying log records " + records.get(0).seq() + ".."
          + records.get(records.size() - 1).seq() + " failed: " + e.getMessage(), e);
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).future().complete(records.get(i).seq());
    }
  }

  private void reserve(int n) {
    if (buffer.remaining() < n) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n))
              .order(SegmentFormat.ORDER);
      buffer.flip();
      bigger.put(buffer);
      buffer = bigger;
    }
  }

  private void flush() throws IOException {
    buffer.flip();
    active.write(buffer);
    buffer.clear();
  }

  private void roll() throws IOException {
    force();
    active.close();
    Path old = active.path();
    active = ActiveSegment.open(options.channelFactory(), files.create(nextSeq));
    LOG.info("Rolled write-ahead log from {} to {}", old.getFileName(), active.path());
  }

  private void afterWrite() throws IOException {
    switch (options.durability().mode()) {
      case ALWAYS -> force();
      case PERIODIC -> {
        dirty = true;
        forceIfDue();
      }
      case NEVER -> dirty = true;
    }
  }

  private void forceIfDue() throws IOException {
    if (dirty
        && options.durability().mode() == Durability.Mode.PERIODIC
        && ticker.getAsLong() - lastForceNanos >= intervalNanos) {
      force();
    }
  }

  private void force() throws IOException {
    active.force();
    forces++;
    dirty = false;
    lastForceNanos = ticker.getAsLong();
  }

  private long waitNanos() {
    if (!dirty || options.durability().mode() != Durability.Mode.PERIODIC) {
      return Long.MAX_VALUE;
    }
    return Math.max(1, intervalNanos - (ticker.getAsLong() - lastForceNanos));
  }

  private void fail(Throwable e) {
    StorageException cause =
        new StorageException(
            "write-ahead log in "
                + files.directory()
                + " failed and accepts no more appends (reopen the store): "
                + e,
            e);
    LOG.error("Write-ahead log in {} failed; failing all pending appends", files.directory(), e);
    List<AppendQueue.Pending> failed = new ArrayList<>(inFlight);
    failed.addAll(queue.fail(cause));
    failed.forEach(p -> p.future().completeExceptionally(cause));
    try {
      active.close();
    } catch (IOException closeFailure) {
      cause.addSuppressed(closeFailure);
    }
  }
}
