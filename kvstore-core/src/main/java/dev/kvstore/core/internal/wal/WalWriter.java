package dev.kvstore.core.internal.wal;

import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Pipelining: when more appends already wait, a durable group is handed to a second thread, the
 * applier, which calls the listener (the engine) and completes the group's futures, in sequence order,
 * while the writer already writes and forces the next group. So under load the disk is kept busy and
 * a group's engine apply and wake-ups do not delay the next {@code force()}. When nothing waits and
 * the applier has finished every group handed to it, the writer applies the group itself: there is
 * nothing to overlap, and a hand-off would cost two thread wake-ups per group (on a small virtual
 * machine about as much CPU as the apply). At most {@value #PIPELINE_DEPTH} groups wait for the
 * applier. If the listener fails, that group and every later one fail without being applied, and the
 * log is broken at once (appends fail from then on): the engine stays a gapless prefix of the log.
 *
 * <p>Completions: an append that names a completer executor is completed there, by one task per group and
 * executor, never one per append: a network event loop gets its whole share of a group back in one wake-up.
 *
 * <p>Thread-safety: {@link #run} runs on the writer thread, which alone touches the active segment,
 * the buffer and the sequence counter. The listener runs on the applier thread, or on the writer
 * thread when {@code handedOff} is zero, that is when the applier has finished every group it was
 * given: never on two threads at once, always in sequence order. The counters are volatile, written
 * only by the writer, readable from any thread.
 */
final class WalWriter implements Runnable {
  /** The most records in one group. */
  static final int MAX_GROUP_RECORDS = 4096;

  /** The most payload bytes in one group (a larger single record still forms a group of one). */
  static final long MAX_GROUP_BYTES = 4L << 20;

  /** How many written groups may wait for the applier. */
  static final int PIPELINE_DEPTH = 4;

  private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);
  private static final Delivery END = new Delivery(List.of(), List.of());

  /** A durable group on its way to the listener. */
  private record Delivery(List<AppendQueue.Pending> group, List<WalRecord> records) {}

  private final BlockingQueue<Delivery> deliveries = new ArrayBlockingQueue<>(PIPELINE_DEPTH);
  // Groups handed to the applier and not yet applied and completed: incremented by the writer before the
  // hand-off, decremented by the applier once done. Zero means the writer may apply a group itself.
  private final AtomicInteger handedOff = new AtomicInteger();
  private volatile RuntimeException applyFailure;
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
    Thread applier = new Thread(this::applyLoop, Thread.currentThread().getName() + "-apply");
    applier.setDaemon(true);
    applier.start();
    try {
      writeLoop();
    } finally {
      putUninterruptibly(END);
      joinUninterruptibly(applier);
    }
  }

  private void writeLoop() {
    try {
      lastForceNanos = ticker.getAsLong();
      List<AppendQueue.Pending> group;
      while ((group = queue.take(waitNanos(), MAX_GROUP_RECORDS, MAX_GROUP_BYTES)) != null) {
        RuntimeException failed = applyFailure;
        if (failed != null) {
          inFlight = group;
          throw failed;
        }
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
    Delivery delivery = new Delivery(group, records);
    if (handedOff.get() == 0 && !queue.hasWaiting()) {
      apply(delivery);
    } else {
      handedOff.incrementAndGet();
      putUninterruptibly(delivery);
    }
    inFlight = List.of();
  }

  /** The applier thread: applies each group handed to it, in order. */
  private void applyLoop() {
    Delivery d;
    while ((d = takeUninterruptibly()) != END) {
      try {
        apply(d);
      } finally {
        handedOff.decrementAndGet();
      }
    }
  }

  /** Hands a durable group to the listener, then completes its appends; after a listener failure, fails them. */
  private void apply(Delivery d) {
    RuntimeException failed = applyFailure;
    if (failed == null) {
      try {
        listener.onDurable(Collections.unmodifiableList(d.records()));
        complete(d);
        return;
      } catch (RuntimeException | Error e) {
        StorageException broken = new StorageException("applying log records " + d.records().get(0).seq() + ".."
            + d.records().get(d.records().size() - 1).seq() + " failed: " + e.getMessage(), e);
        failed = broken;
        applyFailure = broken;
        LOG.error("Write-ahead log in {}: {}; no later record is applied", files.directory(), broken.getMessage(), e);
        // Break the log now, not at the writer's next group: appends from here on fail at once.
        StorageException refused = new StorageException("write-ahead log in " + files.directory()
            + " failed and accepts no more appends (reopen the store): " + broken.getMessage(), broken);
        for (AppendQueue.Pending p : queue.fail(refused)) {
          p.future().completeExceptionally(refused);
        }
      }
    }
    for (AppendQueue.Pending p : d.group()) {
      p.future().completeExceptionally(failed);
    }
  }

  /**
   * Completes a durable group's appends: those without a completer here, the others with one task per
   * distinct completer (in the group's order), so each executor is woken once per group.
   */
  private static void complete(Delivery d) {
    Map<Executor, List<Runnable>> byCompleter = null;
    for (int i = 0; i < d.group().size(); i++) {
      AppendQueue.Pending p = d.group().get(i);
      long seq = d.records().get(i).seq();
      if (p.completer() == null) {
        p.future().complete(seq);
      } else {
        if (byCompleter == null) {
          byCompleter = new IdentityHashMap<>(2);
        }
        byCompleter.computeIfAbsent(p.completer(), e -> new ArrayList<>()).add(() -> p.future().complete(seq));
      }
    }
    if (byCompleter != null) {
      byCompleter.forEach(WalWriter::runAll);
    }
  }

  private static void runAll(Executor executor, List<Runnable> completions) {
    Runnable batch = () -> completions.forEach(Runnable::run);
    try {
      executor.execute(batch);
    } catch (RejectedExecutionException stopping) {
      batch.run();
    }
  }

  private Delivery takeUninterruptibly() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return deliveries.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void putUninterruptibly(Delivery d) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          deliveries.put(d);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
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
