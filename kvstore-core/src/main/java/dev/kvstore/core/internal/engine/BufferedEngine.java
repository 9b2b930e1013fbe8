package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.internal.Threads;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine that takes applied groups into a hash map and writes them to the engine below (RocksDB) later, in
 * one sorted group of each key's newest write. Not API.
 *
 * <p>Why: a write applied to RocksDB at once is one search of a skip list that grows to the size of the
 * memtable, and profiles of a three-node cluster put that search (mostly cache misses) at a fifth of a node's
 * CPU; a hash map insert costs a fraction of it. A drained group is sorted, so RocksDB inserts it walking the
 * skip list in order, and each key goes in once however often it was written since the last drain.
 *
 * <p>Three tiers hold the data, newest first: the <em>buffer</em> (groups applied since the last drain began),
 * the <em>draining</em> map (the buffer of the drain in progress, if one is), and the engine below. Every value
 * ever applied is in at least one of them at every moment: a drain first makes the buffer the draining map and
 * only then starts a new buffer, and forgets the draining map only after the engine below has applied it. A
 * read looks in that order, so it sees the newest value applied before it began (or a newer one).
 *
 * <p>A drain starts when the buffer passes {@code drainBytes} (on this engine's drain thread, so the applying
 * thread, often a network event loop, never writes to RocksDB), before a {@link #checkpoint} (which then
 * checkpoints the engine below, so {@link #durableSequence} is the engine below's), before a {@link #scan} (which
 * then scans the engine below: a view of every group applied before the scan began) and at {@link #close}. If
 * the buffer reaches {@code drainBytes} again while a drain is still running, {@link #apply} waits for it (on an
 * event loop too, as a RocksDB write stall would block it; the test-only {@code BlockingGuard} flags it): the
 * buffer and the draining map together hold about twice {@code drainBytes} at most.
 *
 * <p>Crash safety is the log's, as before: the engine below persists each drained group with the sequence number
 * of its newest log record, and the log keeps every record after the engine below's durable sequence. After a
 * crash the log replays the buffer's groups into a new buffer.
 *
 * <p>A drain that fails (an {@code Error} too) leaves its data in the draining map (reads still see it) and fails
 * every later {@code apply}, {@code checkpoint}, {@code scan} and the {@code close} with the same {@link
 * StorageException}: the store stops taking writes, as it does when RocksDB fails a write directly, and no later
 * drain can report a sequence past the groups that did not reach the engine below.
 *
 * <p>Thread-safety: reads from any thread; {@code apply} one at a time (the engine contract); drains one at a
 * time, under {@code drainLock}, from the drain thread or the thread calling {@code checkpoint}, {@code scan} or
 * {@code close}.
 */
public final class BufferedEngine extends ForwardingEngine {
  private static final Logger LOG = LoggerFactory.getLogger(BufferedEngine.class);
  // Map entry overhead per buffered key, counted against the bound with the key and value bytes.
  private static final int ENTRY_OVERHEAD = 80;
  private static final byte[] REMOVED = new byte[0]; // a buffered removal (compared by identity)

  private final long drainBytes;
  private final ExecutorService drainer;
  private final Object drainLock = new Object(); // one drain at a time
  private final Object bufferLock = new Object(); // apply against the swap of the buffer; waits for a drain

  private volatile Map<ByteBuffer, byte[]> buffer = new ConcurrentHashMap<>();
  private volatile Map<ByteBuffer, byte[]> draining; // null when no drain is in progress
  private volatile long applied;
  private volatile StorageException failure;
  private volatile boolean closed;
  private long bufferBytes; // under bufferLock
  private long bufferSeq; // under bufferLock: the newest sequence in the buffer (0: empty)
  private boolean drainScheduled; // under bufferLock
  // Under bufferLock: the engine below's key estimate, read by the drain thread after each drain and published
  // with the end of that drain, so approximateKeys sees the three tiers at one moment (never a drained map twice,
  // never a map in no tier).
  private long delegateKeys;

  /**
   * Buffers about {@code drainBytes} of keys and values (twice that, with the draining map, while a drain runs) in
   * front of {@code delegate}, which from now on is written only by this engine.
   *
   * @throws IllegalArgumentException if delegate is null or drainBytes is not positive
   */
  public BufferedEngine(Engine delegate, long drainBytes) {
    super(delegate);
    if (drainBytes <= 0) {
      throw new IllegalArgumentException("drainBytes must be positive, got " + drainBytes);
    }
    this.drainBytes = drainBytes;
    this.applied = delegate.appliedSequence();
    this.delegateKeys = delegate.approximateKeys();
    this.drainer = Executors.newSingleThreadExecutor(r -> Threads.daemon(r, "kvstore-engine-drain"));
  }

  @Override
  public long appliedSequence() {
    checkOpen();
    return applied;
  }

  @Override
  public byte[] get(byte[] key) {
    byte[] v = buffered(key);
    return v == null ? delegate().get(key) : v == REMOVED ? null : v;
  }

  @Override
  public byte[] getCached(byte[] key) {
    byte[] v = buffered(key);
    return v == null ? delegate().getCached(key) : v == REMOVED ? null : v;
  }

  @Override
  public void apply(long seq, List<Write> writes) {
    Writes.check(writes);
    checkOpen();
    if (seq <= applied) {
      throw new IllegalArgumentException("seq must be > appliedSequence() = " + applied + ", got " + seq);
    }
    checkHealthy();
    synchronized (bufferLock) {
      while (bufferBytes >= drainBytes && draining != null && failure == null && !closed) {
        dev.kvstore.core.internal.BlockingGuard.checkMayBlock("waiting for the engine's drain (its buffer is full)");
        awaitDrain();
      }
      checkOpen();
      checkHealthy();
      Map<ByteBuffer, byte[]> b = buffer;
      for (Write w : writes) {
        byte[] value = w.value() == null ? REMOVED : w.value();
        byte[] old = b.put(ByteBuffer.wrap(w.key()), value);
        bufferBytes += value.length - (old == null ? -w.key().length - ENTRY_OVERHEAD : old.length);
      }
      bufferSeq = seq;
      applied = seq;
      if (bufferBytes >= drainBytes && !drainScheduled) {
        drainScheduled = true;
        drainer.execute(this::drainInBackground);
      }
    }
  }

  @Override
  public long checkpoint() {
    checkOpen();
    drain();
    return delegate().checkpoint();
  }

  /** {@inheritDoc} First drains the buffer: the scan sees every group applied before it began. */
  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    dev.kvstore.core.internal.BlockingGuard.checkMayBlock("a scan of the engine (it drains the buffer first)");
    if (visitor == null) {
      throw new IllegalArgumentException("visitor must not be null");
    }
    checkOpen();
    drain();
    delegate().scan(fromInclusive, toExclusive, visitor);
  }

  /**
   * {@inheritDoc} The engine below's estimate as of the last drain, plus the keys of the draining map and of the
   * buffer (a key in more than one tier counts once per tier, as an overwritten key does in RocksDB's estimate).
   */
  @Override
  public long approximateKeys() {
    checkOpen();
    synchronized (bufferLock) {
      Map<ByteBuffer, byte[]> d = draining;
      return delegateKeys + (d == null ? 0 : d.size()) + buffer.size();
    }
  }

  /**
   * Drains what is buffered, stops the drain thread, then closes the engine below (which checkpoints). After a
   * failed drain it throws that failure: what was buffered is not in the engine below (the log still has it).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    RuntimeException error = failure; // what a failed drain left in memory is lost here (the log still has it)
    try {
      if (error == null) {
        drain();
      }
    } catch (RuntimeException e) {
      error = e;
    }
    synchronized (bufferLock) {
      closed = true;
      bufferLock.notifyAll();
    }
    Threads.shutdownAndAwait(drainer, Duration.ofMinutes(1), "the engine's drain thread");
    try {
      delegate().close();
    } catch (RuntimeException e) {
      if (error == null) {
        error = e;
      } else {
        error.addSuppressed(e);
      }
    }
    if (error != null) {
      throw error;
    }
  }

  @Override
  public String toString() {
    return "BufferedEngine[" + buffer.size() + " keys over " + delegate() + "]";
  }

  private byte[] buffered(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    checkOpen();
    ByteBuffer k = ByteBuffer.wrap(key);
    byte[] v = buffer.get(k); // read first: a drain publishes the draining map before it replaces the buffer
    if (v != null) {
      return v;
    }
    Map<ByteBuffer, byte[]> d = draining;
    return d == null ? null : d.get(k);
  }

  private void drainInBackground() {
    try {
      drain();
    } catch (Throwable e) { // drain() recorded it: later applies, checkpoints and scans fail with it
      LOG.error("draining the engine's buffer failed; the store takes no more writes", e);
    }
  }

  /** Writes the buffer to the engine below as one sorted group, if it holds anything. */
  private void drain() {
    synchronized (drainLock) {
      checkHealthy();
      Map<ByteBuffer, byte[]> toDrain;
      long seq;
      synchronized (bufferLock) {
        drainScheduled = false;
        if (bufferSeq == 0) {
          return;
        }
        toDrain = buffer;
        seq = bufferSeq;
        draining = toDrain; // before the new buffer, so a reader never misses both
        buffer = new ConcurrentHashMap<>();
        bufferBytes = 0;
        bufferSeq = 0;
      }
      // From here on any failure, an Error too, must be recorded: a later drain would replace the draining map,
      // and a checkpoint would then report a sequence whose groups are in no tier, letting the log delete them.
      try {
        List<Write> writes = new ArrayList<>(toDrain.size());
        toDrain.forEach((k, v) -> writes.add(new Write(k.array(), v == REMOVED ? null : v)));
        writes.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        delegate().apply(seq, writes);
      } catch (Throwable e) {
        StorageException f = e instanceof StorageException s ? s
            : new StorageException("draining " + toDrain.size() + " buffered keys failed: " + e, e);
        synchronized (bufferLock) {
          failure = f; // the draining map stays: reads still see its values
          bufferLock.notifyAll();
        }
        throw f;
      }
      long keysBelow;
      try {
        keysBelow = delegate().approximateKeys();
      } catch (RuntimeException e) { // a statistic: the drained data is safe, so count the map as new keys
        LOG.warn("reading the engine's key estimate after a drain failed: {}", e.toString());
        keysBelow = -1;
      }
      synchronized (bufferLock) {
        delegateKeys = keysBelow >= 0 ? keysBelow : delegateKeys + toDrain.size();
        draining = null; // with the estimate that includes it, in one step for approximateKeys
        bufferLock.notifyAll();
      }
      LOG.debug("drained {} keys through seq {} into {}", toDrain.size(), seq, delegate());
    }
  }

  private void awaitDrain() {
    try {
      bufferLock.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while the engine's buffer was full", e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(this + " is closed");
    }
  }

  private void checkHealthy() {
    StorageException f = failure;
    if (f != null) {
      throw new StorageException("the engine failed to write its buffer earlier: " + f.getMessage(), f);
    }
  }
}
