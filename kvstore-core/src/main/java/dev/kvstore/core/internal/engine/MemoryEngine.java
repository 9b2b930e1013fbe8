package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine that keeps every entry in a sorted concurrent map, made durable (when it has a
 * directory) by snapshot files ({@link MemorySnapshot}) plus the write-ahead log's tail.
 *
 * <p>Implementation notes. {@link #checkpoint} copies the entry references and the applied sequence
 * number under {@code applyLock}, so a snapshot is exactly the state after one group, then writes
 * the file outside the lock. Readers are not blocked by {@code apply}: {@link #get} sees each write
 * as soon as it is made, and a reader may see part of a group being applied. {@link #scan} uses the
 * map's weakly consistent iterator: it sees every entry that exists for the whole scan, and may or
 * may not see writes made during it. Arrays are not copied in or out.
 *
 * <p>Thread-safe: see {@link Engine}. {@code apply}, the checkpoint copy and closing are serialised
 * by {@code applyLock}, so nothing is applied after the final snapshot; checkpoints by {@code
 * checkpointLock}. Lock order: {@code checkpointLock}, then {@code applyLock}.
 */
public final class MemoryEngine extends SequencedEngine {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryEngine.class);

  private final Path directory; // null: nothing durable
  private final ConcurrentSkipListMap<byte[], byte[]> map;
  private final Object applyLock = new Object();
  private final Object checkpointLock = new Object();
  private volatile long keys; // written under applyLock; applied and closed too, durable under checkpointLock

  private MemoryEngine(Path directory, long seq, ConcurrentSkipListMap<byte[], byte[]> map) {
    this.directory = directory;
    this.map = map;
    this.applied = seq;
    this.durable = seq;
    this.keys = map.size();
  }

  /**
   * Opens a memory engine whose snapshot lives in {@code directory} (created if missing), loading
   * the snapshot if there is one.
   *
   * @throws IllegalArgumentException if directory is null
   * @throws StorageException naming the file if the snapshot cannot be read or is not valid
   */
  public static MemoryEngine open(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    try {
      Files.createDirectories(directory);
      MemorySnapshot.deleteLeftover(directory);
    } catch (IOException e) {
      throw new StorageException(
          "cannot prepare memory engine directory " + directory + ": " + e, e);
    }
    MemorySnapshot.Contents contents = MemorySnapshot.read(directory);
    LOG.info(
        "Opened memory engine in {}: {} keys, durable through seq {}",
        directory,
        contents.entries().size(),
        contents.seq());
    return new MemoryEngine(directory, contents.seq(), contents.entries());
  }

  /** A memory engine with no directory: nothing is durable, {@link #checkpoint} only reports. */
  public static MemoryEngine inMemory() {
    return new MemoryEngine(null, 0, new ConcurrentSkipListMap<>(Arrays::compareUnsigned));
  }

  @Override
  public byte[] get(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    checkOpen();
    return map.get(key);
  }

  @Override
  public void apply(long seq, List<Write> writes) {
    Writes.check(writes);
    synchronized (applyLock) {
      checkOpen();
      if (seq <= applied) {
        throw new IllegalArgumentException(
            "seq must be > appliedSequence() = " + applied + ", got " + seq);
      }
      long count = keys;
      for (Write w : writes) {
        if (w.value() == null) {
          count -= map.remove(w.key()) == null ? 0 : 1;
        } else {
          count += map.put(w.key(), w.value()) == null ? 1 : 0;
        }
      }
      keys = count;
      applied = seq;
    }
  }

  @Override
  public long checkpoint() {
    synchronized (checkpointLock) {
      Capture capture;
      synchronized (applyLock) {
        checkOpen();
        if (directory == null) {
          return applied;
        }
        capture = capture();
      }
      write(capture);
      return durable;
    }
  }

  /**
   * The entries and sequence number to snapshot, or null if the last snapshot already holds them.
   */
  private Capture capture() {
    return directory == null || applied == durable
        ? null
        : new Capture(applied, new ArrayList<>(map.entrySet()));
  }

  private void write(Capture capture) {
    if (capture != null) {
      MemorySnapshot.write(directory, capture.seq(), capture.entries());
      durable = capture.seq();
      LOG.debug(
          "Memory engine in {} checkpointed {} keys through seq {}",
          directory,
          capture.entries().size(),
          capture.seq());
    }
  }

  /**
   * What a checkpoint writes: a copy of the entry references, taken with the applied sequence
   * number.
   */
  private record Capture(long seq, List<Map.Entry<byte[], byte[]>> entries) {}

  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    if (visitor == null) {
      throw new IllegalArgumentException("visitor must not be null");
    }
    checkOpen();
    for (Map.Entry<byte[], byte[]> e : range(fromInclusive, toExclusive).entrySet()) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }

  private NavigableMap<byte[], byte[]> range(byte[] from, byte[] to) {
    if (from != null && to != null) {
      return Arrays.compareUnsigned(from, to) >= 0
          ? Collections.emptyNavigableMap()
          : map.subMap(from, true, to, false);
    }
    if (from != null) {
      return map.tailMap(from, true);
    }
    return to != null ? map.headMap(to, false) : map;
  }

  @Override
  public long approximateKeys() {
    checkOpen();
    return keys;
  }

  /**
   * Checkpoints (if the engine has a directory) and closes; later calls throw {@link
   * StoreClosedException}. Idempotent.
   *
   * @throws StorageException if the final snapshot cannot be written (the engine is closed all the
   *     same)
   */
  @Override
  public void close() {
    synchronized (checkpointLock) {
      Capture capture;
      synchronized (applyLock) {
        if (closed) {
          return;
        }
        closed = true;
        capture = capture();
      }
      write(capture);
    }
  }

  @Override
  public String toString() {
    return "MemoryEngine[" + (directory == null ? "in memory" : directory) + "]";
  }
}
