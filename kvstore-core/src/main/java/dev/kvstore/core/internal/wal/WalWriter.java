package dev.kvstore.core.internal.wal;

import dev.kvstore.core.Durability;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.BlockingGuard;
import dev.kvstore.core.internal.LoopExecutor;
import dev.kvstore.core.internal.Threads;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's writer: takes groups of appends off the queue, numbers them, writes each group with one
 * write per segment it touches, forces as the durability mode requires, hands the group to the listener
 * and completes the futures. One writer at a time, enforced by a lock: the writer thread, or an event loop
 * writing the appends of its own pass ({@link #syncOnCaller}).
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
 * <p>Event loops write their own appends: an append made on an event loop ({@link
 * dev.kvstore.core.internal.LoopExecutor}) does not wake the writer thread; the loop writes, forces,
 * applies and completes the queue at the end of its pass, as Redis does with {@code appendfsync always}.
 * A pass's writes then cost one force and no thread hand-off at all; the force blocks the loop, the one
 * block the design allows there (docs/design.md says why). If the writer thread holds the lock, or the
 * applier still has groups, the loop wakes the writer thread instead and gets its completions back as one
 * task per group.
 *
 * <p>A caller-driven log ({@link WalOptions#callerDriven}) has no writer or applier thread: the loop that
 * appends writes every group waiting at the end of its pass, rolls included, and applies each group itself;
 * {@link #drainOnCaller} does what the writer thread does at close.
 *
 * <p>Pipelining: when more appends already wait, the writer thread hands a durable group to a second
 * thread, the applier, which calls the listener (the engine) and completes the group's futures, in
 * sequence order, while the writer already writes and forces the next group. When nothing waits and the
 * applier has finished every group handed to it, the writer applies the group itself (a hand-off would
 * cost two thread wake-ups per group). At most {@value #PIPELINE_DEPTH} groups wait for the applier. If
 * the listener fails, that group and every later one fail without being applied, and the log is broken at
 * once (appends fail from then on): the engine stays a gapless prefix of the log.
 *
 * <p>Completions: an append that names a completer executor is completed there, by one task per group and
 * executor, never one per append (inline when the completer is the loop that wrote the group). Futures are
 * completed after the writer's lock is released, so no callback runs under it.
 *
 * <p>Thread-safety: the writer's lock guards the active segment, the buffer and the sequence counter, and
 * taking appends off the queue, so records are numbered in append order whoever writes them. The listener
 * runs on the applier thread, or under the lock when {@code handedOff} is zero: never on two threads at
 * once, always in sequence order. The counters are volatile, written under the lock, readable from any
 * thread.
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

  // The writer's lock: whoever holds it writes the log (the writer thread, or an event loop writing its own
  // pass's appends in syncOnCaller). Taking appends off the queue happens only under it, so records are
  // numbered and written in the order they were appended. Guards every field below up to the counters.
  private final ReentrantLock writing = new ReentrantLock();
  private ActiveSegment active;
  private long nextSeq;
  private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES).order(SegmentFormat.ORDER);
  // Written under the lock; volatile so that the writer thread reads them for its wait without taking the
  // lock (an event loop's tryLock must not find the idle writer thread holding it).
  private volatile boolean dirty;
  private volatile long lastForceNanos;
  private List<AppendQueue.Pending> inFlight = List.of();
  private boolean broken; // a write or force failed: nothing more is written
  private boolean stopped; // the writer thread closed the segment
  // The loop writing in syncOnCaller on this thread, whose completions run inline (null on other threads).
  private final ThreadLocal<Executor> syncing = new ThreadLocal<>();
  // Completions of groups applied while this thread held the writer's lock: futures are completed after it
  // is released, so no callback runs under it.
  private final ThreadLocal<List<Runnable>> deferred = ThreadLocal.withInitial(ArrayList::new);

  // Written under the writer's lock, read by any.
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
    Thread applier = Threads.daemon(this::applyLoop, Thread.currentThread().getName() + "-apply");
    applier.start();
    try {
      writeLoop();
    } finally {
      putUninterruptibly(END);
      Threads.joinUninterruptibly(applier);
    }
  }

  private void writeLoop() {
    locked(() -> {
      lastForceNanos = ticker.getAsLong();
    });
    try {
      while (true) {
        AppendQueue.State state = queue.await(waitNanos());
        writing.lock();
        boolean more;
        try {
          more = !broken && writeNext(state);
        } finally {
          writing.unlock();
        }
        runDeferred();
        if (!more) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      locked(() -> fail(e));
      runDeferred();
    }
  }

  /** One step of the writer thread, under the lock; false when it is done (closed, or failed). */
  private boolean writeNext(AppendQueue.State state) {
    try {
      if (state == AppendQueue.State.END) {
        stopped = true;
        if (dirty) {
          force();
        }
        active.close();
        return false;
      }
      List<AppendQueue.Pending> group = queue.poll(MAX_GROUP_RECORDS, MAX_GROUP_BYTES);
      if (group.isEmpty()) {
        forceIfDue(); // timed out, or an event loop wrote what woke us
      } else {
        writeGroup(group, false);
      }
      return true;
    } catch (IOException | RuntimeException | Error e) {
      fail(e);
      return false;
    }
  }

  /**
   * Writes, forces and completes one group of what waits in the queue on the calling event loop, at the end of
   * its pass: the pass's appends cost no thread hand-off at all. The loop's own completions run inline (after
   * the lock is released); others go to their completers. Only appends that fit in the segment's preallocated
   * space are written here; a roll, more preallocation, and anything left in the queue are the writer
   * thread's, which is woken for them, as it is when it holds the lock or the applier still holds groups (they
   * must be applied first). The force blocks the loop: the one block the design allows there (docs/design.md).
   */
  void syncOnCaller(Executor loop) {
    if (!writing.tryLock()) {
      queue.wakeWriter();
      return;
    }
    try {
      if (broken || stopped) {
        return;
      }
      syncing.set(loop);
      List<AppendQueue.Pending> group;
      while (!(group = nextOnCaller()).isEmpty()) {
        List<AppendQueue.Pending> g = group;
        BlockingGuard.permitted("the log's group force at the end of an event-loop pass",
            () -> writeGroup(g, true));
        if (!options.callerDriven()) {
          break;
        }
      }
      if (queue.hasWaiting()) {
        queue.wakeWriter(); // what did not fit (a roll or more preallocation), or other threads' appends
      }
    } catch (IOException | RuntimeException | Error e) {
      fail(e);
    } finally {
      syncing.remove();
      writing.unlock();
    }
    runDeferred();
  }

  /**
   * The next group a loop writes itself: none while the applier holds groups (only the lock holder hands groups
   * to it, so zero stays zero while we hold the lock); in a caller-driven log the next group, rolls included;
   * else what fits in the preallocated space of the segment.
   */
  private List<AppendQueue.Pending> nextOnCaller() {
    if (handedOff.get() > 0) {
      return List.of();
    }
    return options.callerDriven()
        ? queue.poll(MAX_GROUP_RECORDS, MAX_GROUP_BYTES)
        : queue.pollWithin(MAX_GROUP_RECORDS, active.room(options.segmentBytes()));
  }

  /**
   * Closes a caller-driven log on the calling thread (the queue is closed): writes and forces what waits, as the
   * writer thread would before it stops, then closes the segment.
   */
  void drainOnCaller() {
    writing.lock();
    try {
      while (!broken && writeNext(queue.await(0))) {
        // one group per step, until the queue is closed and empty
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    } finally {
      writing.unlock();
    }
    runDeferred();
  }

  private void writeGroup(List<AppendQueue.Pending> group, boolean onLoop) throws IOException {
    RuntimeException failed = applyFailure;
    if (failed != null) {
      inFlight = group;
      throw failed;
    }
    write(group, onLoop);
  }

  private void locked(Runnable action) {
    writing.lock();
    try {
      action.run();
    } finally {
      writing.unlock();
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

  /**
   * Writes one group, forces it as the durability requires, and applies and completes it: here when the
   * applier has nothing (and, on the writer thread, nothing more waits), else through the applier.
   */
  private void write(List<AppendQueue.Pending> group, boolean onLoop) throws IOException {
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
    if (handedOff.get() == 0 && (onLoop || options.callerDriven() || !queue.hasWaiting())) {
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
        List<AppendQueue.Pending> queued = queue.fail(refused);
        afterUnlock(() -> queued.forEach(p -> p.future().completeExceptionally(refused)));
      }
    }
    RuntimeException cause = failed;
    afterUnlock(() -> d.group().forEach(p -> p.future().completeExceptionally(cause)));
  }

  /**
   * Completes a durable group's appends: those without a completer here, the others with one task per
   * distinct completer (in the group's order), so each executor is woken once per group.
   */
  private void complete(Delivery d) {
    afterUnlock(completion(d));
  }

  /** Runs {@code completion} now, or, if this thread holds the writer's lock, once it is released. */
  private void afterUnlock(Runnable completion) {
    if (writing.isHeldByCurrentThread()) {
      deferred.get().add(completion);
    } else {
      completion.run();
    }
  }

  /** Runs the completions deferred while this thread held the writer's lock, in group order. */
  private void runDeferred() {
    List<Runnable> pending = deferred.get();
    if (!pending.isEmpty()) {
      List<Runnable> now = new ArrayList<>(pending);
      pending.clear();
      now.forEach(Runnable::run);
    }
  }

  private Runnable completion(Delivery d) {
    Executor inline = syncing.get();
    return () -> completeNow(d, inline);
  }

  private static void completeNow(Delivery d, Executor inline) {
    Map<Executor, List<Runnable>> byCompleter = null;
    for (int i = 0; i < d.group().size(); i++) {
      AppendQueue.Pending p = d.group().get(i);
      long seq = d.records().get(i).seq();
      if (p.completer() == null || p.completer() == inline
          || (p.completer() instanceof LoopExecutor.Deferring deferring && deferring.loop() == inline)) {
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
    return Threads.uninterruptibly(deliveries::take);
  }

  private void putUninterruptibly(Delivery d) {
    Threads.uninterruptibly(() -> {
      deliveries.put(d);
      return null;
    });
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

  private void fail(Throwable e) { // under the writer's lock; the futures fail once it is released
    broken = true;
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
    afterUnlock(() -> failed.forEach(p -> p.future().completeExceptionally(cause)));
    try {
      active.close();
    } catch (IOException closeFailure) {
      cause.addSuppressed(closeFailure);
    }
  }
}
