package dev.kvstore.core.internal.wal;

import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.LoopExecutor;
import dev.kvstore.core.internal.Threads;
import dev.kvstore.core.StoreClosedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log as a directory of segment files (format: {@link SegmentFormat}), written by
 * one thread with group commit ({@link WalWriter}).
 *
 * <p>Recovery is split between {@link #open} and {@link #replay}. Open checks every segment header
 * and scans the last segment, cutting a torn tail (and a zero tail) off it, so {@link
 * #lastSequence()} is known at once. Replay scans, strictly, every segment holding records above
 * the given sequence number: older segments are never read, as the engine no longer needs them.
 *
 * <p>A log opened {@link WalOptions#callerDriven caller-driven} starts no threads: the event loops that append
 * write it at the end of their passes, and {@link #close} writes what is left. The simulation runs it so, on one
 * thread in virtual time.
 *
 * <p>Thread-safe: see {@link WriteAheadLog}. The lifecycle state is guarded by {@code this}.
 */
public final class SegmentedWal implements WriteAheadLog {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentedWal.class);

  private final WalOptions options;
  private final SegmentFiles files;
  private final AppendQueue queue;
  private final long recoveredLastSeq;
  private long nextSeq; // guarded by this
  private boolean replayed; // guarded by this
  private Thread thread; // guarded by this
  private WalWriter writer; // guarded by this; set once by start
  private volatile WalWriter running; // the writer once started, for appends from event loops
  // Per thread appending with CALLER_WRITES: [0] its last append found the queue empty, so it writes it itself.
  private final ThreadLocal<boolean[]> leads = ThreadLocal.withInitial(() -> new boolean[1]);
  // Per appending loop thread: whether an end-of-pass write, and a deferred appends' deadline, are scheduled.
  private static final int END_OF_PASS = 0;
  private static final int DEADLINE = 1;
  private final ThreadLocal<boolean[]> syncScheduled = ThreadLocal.withInitial(() -> new boolean[2]);
  private boolean closed; // guarded by this

  private SegmentedWal(WalOptions options, SegmentFiles files, long recoveredLastSeq) {
    this.options = options;
    this.files = files;
    this.queue = new AppendQueue(options.directory().toString(), options.maxQueuedRecords());
    this.recoveredLastSeq = recoveredLastSeq;
    this.nextSeq = recoveredLastSeq + 1;
  }

  /**
   * Opens the log in {@code options.directory()}, creating the directory if missing; checks every
   * segment header and recovers the last segment (cutting a torn tail off it).
   *
   * @throws IllegalArgumentException if options is null
   * @throws CorruptLogException if a segment header is bad or the last segment is corrupt before
   *     its tail
   * @throws StorageException if the directory or a segment cannot be read or repaired
   */
  public static SegmentedWal open(WalOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    try {
      SegmentFiles files = SegmentFiles.open(options.directory(), options.channelFactory());
      List<SegmentFiles.Segment> segments = files.list();
      for (int i = 0; i < segments.size() - 1; i++) {
        try (SegmentReader reader =
            SegmentReader.open(options.channelFactory(), segments.get(i).path())) {
          new SegmentScanner(reader, segments.get(i).firstSeq()).checkHeader();
        }
      }
      long lastSeq =
          segments.isEmpty() ? 0 : recoverLast(options, segments.get(segments.size() - 1));
      LOG.info(
          "Opened write-ahead log in {}: {} segments, last seq {}",
          options.directory(),
          segments.size(),
          lastSeq);
      return new SegmentedWal(options, files, lastSeq);
    } catch (IOException e) {
      throw new StorageException(
          "cannot open write-ahead log in " + options.directory() + ": " + e, e);
    }
  }

  private static long recoverLast(WalOptions options, SegmentFiles.Segment last)
      throws IOException {
    SegmentScanner.Result result;
    long size;
    try (SegmentReader reader = SegmentReader.open(options.channelFactory(), last.path())) {
      size = reader.size();
      result = new SegmentScanner(reader, last.firstSeq()).scan(true, Long.MAX_VALUE, null);
    }
    if (result.end() < size) {
      if (result.torn()) {
        LOG.warn(
            "Write-ahead log segment {} has a torn tail at offset {} after seq {}: cutting {} bytes"
                + " off",
            last.path(),
            result.end(),
            result.lastSeq(),
            size - result.end());
      } else {
        LOG.debug("Cutting the {} zero bytes at the end of {}", size - result.end(), last.path());
      }
      try (FileChannel channel =
          options.channelFactory().open(last.path(), StandardOpenOption.WRITE)) {
        channel.truncate(result.end());
        channel.force(true);
      }
    }
    return result.lastSeq();
  }

  @Override
  public synchronized long replay(long afterSeq, RecordHandler handler) {
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must be >= 0, got " + afterSeq);
    }
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    checkState(
        !replayed && writer == null && !closed,
        "replay must be called once, before start and close");
    List<SegmentFiles.Segment> segments = files.list();
    if (!segments.isEmpty() && segments.get(0).firstSeq() > afterSeq + 1) {
      throw new StorageException(
          "write-ahead log in "
              + options.directory()
              + " starts at seq "
              + segments.get(0).firstSeq()
              + " but the engine is durable only through seq "
              + afterSeq
              + ": records "
              + (afterSeq + 1)
              + ".."
              + (segments.get(0).firstSeq() - 1)
              + " are missing");
    }
    try {
      for (int i = 0; i < segments.size(); i++) {
        long end = i + 1 < segments.size() ? segments.get(i + 1).firstSeq() - 1 : recoveredLastSeq;
        if (end > afterSeq) {
          replaySegment(segments.get(i), end, afterSeq, handler);
        }
      }
    } catch (IOException e) {
      throw new StorageException(
          "cannot read write-ahead log in " + options.directory() + ": " + e, e);
    }
    replayed = true;
    nextSeq = Math.max(recoveredLastSeq, afterSeq) + 1;
    return nextSeq - 1;
  }

  private void replaySegment(
      SegmentFiles.Segment segment, long end, long afterSeq, RecordHandler handler)
      throws IOException {
    try (SegmentReader reader = SegmentReader.open(options.channelFactory(), segment.path())) {
      SegmentScanner.Result result =
          new SegmentScanner(reader, segment.firstSeq()).scan(false, afterSeq, handler);
      if (result.lastSeq() != end) {
        throw new CorruptLogException(
            segment.path(),
            result.end(),
            "segment ends at seq "
                + result.lastSeq()
                + " but the log continues at seq "
                + (end + 1)
                + " (records are missing)");
      }
    }
  }

  @Override
  public synchronized void start(GroupListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener must not be null");
    }
    checkState(writer == null && !closed, "start must be called once, before close");
    try {
      if (nextSeq != recoveredLastSeq + 1 && files.count() > 0) {
        int deleted =
            files.deleteAll(
                "the engine is durable through seq " + (nextSeq - 1) + ", beyond the log");
        LOG.info(
            "Deleted all {} write-ahead log segments in {}: the engine is durable through seq {},"
                + " beyond their last seq {}; appends continue at seq {}",
            deleted,
            options.directory(),
            nextSeq - 1,
            recoveredLastSeq,
            nextSeq);
      }
      SegmentFiles.Segment active =
          files.count() == 0 ? files.create(nextSeq) : files.list().get(files.count() - 1);
      writer =
          new WalWriter(
              queue,
              files,
              options,
              listener,
              ActiveSegment.open(options.channelFactory(), active),
              nextSeq);
    } catch (IOException e) {
      throw new StorageException(
          "cannot start write-ahead log in " + options.directory() + ": " + e, e);
    }
    if (!options.callerDriven()) {
      thread = Threads.daemon(writer, "kvstore-wal-writer-" + options.directory().getFileName());
      thread.start();
    }
    running = writer;
  }

  @Override
  public CompletableFuture<Long> append(byte[] payload, java.util.concurrent.Executor completer) {
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
    if (payload.length > options.maxRecordBytes()) {
      throw new IllegalArgumentException(
          "payload must be at most maxRecordBytes = "
              + options.maxRecordBytes()
              + " bytes, got "
              + payload.length);
    }
    WalWriter w = running;
    LoopExecutor.Deferring deferring = completer instanceof LoopExecutor.Deferring d ? d : null;
    LoopExecutor loop = deferring != null ? deferring.loop() : completer instanceof LoopExecutor l ? l : null;
    boolean fromLoop = loop != null && loop.inLoop();
    if (options.callerDriven() && !fromLoop) {
      return CompletableFuture.failedFuture(new IllegalStateException("write-ahead log " + options.directory()
          + " is caller-driven: append from an event loop, naming it as the completer"));
    }
    if (completer == CALLER_WRITES) {
      // (a caller-driven log refused this non-loop append above)
      boolean callerWrites = w != null && options.durability().mode() != Durability.Mode.PERIODIC;
      return callerWrites ? queue.addLeading(payload, leads.get()) : queue.add(payload, null);
    }
    if (w != null && fromLoop && options.durability().mode() != Durability.Mode.PERIODIC) {
      // (PERIODIC forces on a timer, which only the writer thread keeps.)
      CompletableFuture<Long> future = queue.addQuietly(payload, completer);
      if (!future.isDone()) {
        if (deferring != null) {
          syncWithin(w, loop, deferring.maxDelayNanos());
        } else {
          syncAtEndOfPass(w, loop);
        }
      }
      return future;
    }
    return queue.add(payload, completer);
  }

  /**
   * {@inheritDoc} Only when this thread's last append found the queue empty (it is alone: with others waiting the
   * writer thread was signalled and takes them all in one group, which measured faster at 16 threads). The group is
   * what fits in the segment's preallocated space ({@link WalWriter#syncOnCaller}); the writer thread is woken for
   * the rest, and when it or another caller holds the log.
   */
  @Override
  public void writeOnCaller() {
    boolean[] mine = leads.get();
    boolean lead = mine[0];
    mine[0] = false;
    WalWriter w = running;
    if (lead && w != null) {
      w.syncOnCaller(null);
    }
  }

  /**
   * For an append that may wait for its force (a {@link LoopExecutor.Deferring} completer): nothing when the loop
   * already writes at the end of this pass (that group takes it along), else, once per deadline, a timer on the
   * loop that writes and forces what waits then. Any force before it, of this loop or the writer thread, takes the
   * append along too; the timer then finds nothing to write and forces nothing.
   */
  private void syncWithin(WalWriter w, LoopExecutor loop, long maxDelayNanos) {
    if (!syncScheduled.get()[END_OF_PASS]) {
      scheduleSync(w, loop, DEADLINE, task -> loop.schedule(task, maxDelayNanos));
    }
  }

  /** Schedules, once per pass, the loop to write and force its appends itself after its pass. */
  private void syncAtEndOfPass(WalWriter w, LoopExecutor loop) {
    scheduleSync(w, loop, END_OF_PASS, loop::executeAtEndOfPass);
  }

  /**
   * Unless this thread already has one in {@code slot}, has {@code schedule} run the loop's own write of what waits
   * ({@link WalWriter#syncOnCaller}); a loop that is shutting down wakes the writer thread instead.
   */
  private void scheduleSync(WalWriter w, LoopExecutor loop, int slot, java.util.function.Consumer<Runnable> schedule) {
    boolean[] scheduled = syncScheduled.get();
    if (scheduled[slot]) {
      return;
    }
    scheduled[slot] = true;
    try {
      schedule.accept(() -> {
        scheduled[slot] = false;
        w.syncOnCaller(loop);
      });
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      scheduled[slot] = false;
      queue.wakeWriter();
    }
  }

  @Override
  public void deleteThrough(long seq) {
    int deleted = files.deleteThrough(seq);
    if (deleted > 0) {
      LOG.info(
          "Deleted {} write-ahead log segments in {} holding only records through seq {}",
          deleted,
          options.directory(),
          seq);
    }
  }

  @Override
  public synchronized long lastSequence() {
    return writer != null ? writer.lastSeq() : nextSeq - 1;
  }

  @Override
  public boolean failed() {
    return queue.failed();
  }

  @Override
  public synchronized WalStats stats() {
    return writer != null ? writer.stats(files.count()) : new WalStats(0, 0, 0, 0, files.count());
  }

  @Override
  public void close() {
    Thread toJoin;
    synchronized (this) {
      if (!closed) {
        closed = true;
        if (writer == null) {
          queue
              .closeAndDrain()
              .forEach(
                  p ->
                      p.future()
                          .completeExceptionally(
                              new StoreClosedException(
                                  "write-ahead log "
                                      + options.directory()
                                      + " closed before it started")));
        } else {
          queue.close();
          if (options.callerDriven()) {
            writer.drainOnCaller();
          }
        }
      }
      toJoin = thread;
    }
    if (toJoin != null && toJoin != Thread.currentThread()) {
      Threads.joinUninterruptibly(toJoin);
    }
  }

  private static void checkState(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  @Override
  public String toString() {
    return "SegmentedWal[" + options.directory() + "]";
  }
}
