package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.ReadOptions;
import org.rocksdb.ReadTier;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine for durable stores: RocksDB with its own write-ahead log off, because ours is the log
 * of record.
 *
 * <p>Layout: the {@code default} column family holds the user keys and values as they are; the
 * {@code kvstore-meta} column family holds one key, {@code applied-seq}, whose value is the 8-byte
 * big-endian sequence number of the last applied group. Every {@link #apply} writes the group and
 * that number in one {@code WriteBatch}; with {@code atomic_flush} on, the two column families are
 * always flushed together, so whatever reached disk holds data and sequence number of the same
 * prefix of groups. {@link #checkpoint} flushes both (waiting for the flush); {@link
 * #durableSequence()} is the number read at open, then the applied number at the last checkpoint
 * (RocksDB may flush more on its own). {@link #close} checkpoints first.
 *
 * <p>Tuning for small values: a 64 MiB LRU block cache, a 10-bit Bloom filter, LZ4 compression, two
 * background jobs.
 *
 * <p>Thread-safe: see {@link Engine}. Every call holds the read side of {@code lock}; {@link
 * #close} takes the write side, so no call touches a native handle after it is freed. A scan
 * iterator gives a consistent point-in-time view (RocksDB's implicit snapshot). A visitor must not
 * close the engine.
 */
public final class RocksDbEngine extends SequencedEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbEngine.class);
  private static final byte[] META_FAMILY = "kvstore-meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] APPLIED_SEQ = "applied-seq".getBytes(StandardCharsets.US_ASCII);
  private static final long BLOCK_CACHE_BYTES = 64L << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final RocksDB db;
  private final ColumnFamilyHandle data;
  private final ColumnFamilyHandle meta;
  private final WriteOptions writeOptions;
  private final ReadOptions cachedReads; // memtables and block cache only: never reads a file
  private final List<AutoCloseable> resources; // closed in reverse order
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Object checkpointLock = new Object();
  // closed is written under the write lock, applied by the applying thread, durable under checkpointLock

  private RocksDbEngine(
      Path directory,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      WriteOptions writeOptions,
      ReadOptions cachedReads,
      List<AutoCloseable> resources,
      long seq) {
    this.directory = directory;
    this.db = db;
    this.data = handles.get(0);
    this.meta = handles.get(1);
    this.writeOptions = writeOptions;
    this.cachedReads = cachedReads;
    this.resources = resources;
    this.applied = seq;
    this.durable = seq;
  }

  /**
   * Opens (or creates) the RocksDB engine in {@code directory}.
   *
   * @throws IllegalArgumentException if directory is null
   * @throws StorageException if the directory cannot be created or RocksDB cannot open it (for
   *     example, another engine has it open)
   */
  public static RocksDbEngine open(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      Files.createDirectories(directory);
      ColumnFamilyOptions dataOptions = own(resources, dataFamilyOptions(resources));
      ColumnFamilyOptions metaOptions = own(resources, new ColumnFamilyOptions());
      DBOptions dbOptions =
          own(
              resources,
              new DBOptions()
                  .setCreateIfMissing(true)
                  .setCreateMissingColumnFamilies(true)
                  .setAtomicFlush(true)
                  .setMaxBackgroundJobs(2)
                  .setKeepLogFileNum(3));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db =
          own(
              resources,
              RocksDB.open(
                  dbOptions,
                  directory.toString(),
                  List.of(
                      new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, dataOptions),
                      new ColumnFamilyDescriptor(META_FAMILY, metaOptions)),
                  handles));
      resources.addAll(handles);
      WriteOptions writeOptions = own(resources, new WriteOptions().setDisableWAL(true));
      ReadOptions cachedReads = own(resources, new ReadOptions().setReadTier(ReadTier.BLOCK_CACHE_TIER));
      byte[] stored = db.get(handles.get(1), APPLIED_SEQ);
      long seq = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
      LOG.info("Opened RocksDB engine in {}: durable through seq {}", directory, seq);
      return new RocksDbEngine(directory, db, handles, writeOptions, cachedReads, resources, seq);
    } catch (IOException | RocksDBException | RuntimeException e) {
      closeAll(resources, e);
      throw new StorageException(
          "cannot open RocksDB engine in " + directory + ": " + e.getMessage(), e);
    }
  }

  private static ColumnFamilyOptions dataFamilyOptions(List<AutoCloseable> resources) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(own(resources, new LRUCache(BLOCK_CACHE_BYTES)))
            .setFilterPolicy(own(resources, new BloomFilter(10)));
    return new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  private static <T extends AutoCloseable> T own(List<AutoCloseable> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public byte[] get(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    dev.kvstore.core.internal.BlockingGuard.checkMayBlock("a RocksDB read that may go to disk");
    lock.readLock().lock();
    try {
      checkOpen();
      return db.get(data, key);
    } catch (RocksDBException e) {
      throw failure("read", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * {@inheritDoc} One read with {@code ReadTier.BLOCK_CACHE_TIER} (memtables, bloom filters and block cache, no
   * I/O), where Incomplete means {@link #NOT_CACHED}. Not {@code keyMayExist} first: its JNI side looks up a
   * class and builds an object array on every call, which cost more than the lookup itself (about half of this
   * method's CPU in a profile of the cluster bench); the exception RocksJava raises for Incomplete is paid only
   * by a read that goes to the disk anyway.
   */
  @Override
  public byte[] getCached(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    lock.readLock().lock();
    try {
      checkOpen();
      return db.get(data, cachedReads, key);
    } catch (RocksDBException e) {
      if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Incomplete) {
        return NOT_CACHED;
      }
      throw failure("read", e);
    } finally {
      lock.readLock().unlock();
    }
  }


  @Override
  public void apply(long seq, List<Write> writes) {
    Writes.check(writes);
    lock.readLock().lock();
    try (WriteBatch batch = new WriteBatch()) {
      checkOpen();
      if (seq <= applied) {
        throw new IllegalArgumentException(
            "seq must be > appliedSequence() = " + applied + ", got " + seq);
      }
      for (Write w : writes) {
        if (w.value() == null) {
          batch.delete(data, w.key());
        } else {
          batch.put(data, w.key(), w.value());
        }
      }
      batch.put(meta, APPLIED_SEQ, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
      db.write(writeOptions, batch);
      applied = seq;
    } catch (RocksDBException e) {
      throw failure("write seq " + seq, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long checkpoint() {
    lock.readLock().lock();
    try {
      checkOpen();
      return flush();
    } finally {
      lock.readLock().unlock();
    }
  }

  private long flush() {
    synchronized (checkpointLock) {
      long seq = applied;
      if (seq == durable) {
        return seq;
      }
      try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
        db.flush(options, List.of(data, meta));
      } catch (RocksDBException e) {
        throw failure("flush", e);
      }
      durable = seq;
      LOG.debug("RocksDB engine in {} checkpointed through seq {}", directory, seq);
      return seq;
    }
  }

  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    dev.kvstore.core.internal.BlockingGuard.checkMayBlock("a RocksDB scan");
    if (visitor == null) {
      throw new IllegalArgumentException("visitor must not be null");
    }
    lock.readLock().lock();
    try {
      checkOpen();
      iterate(fromInclusive, toExclusive, visitor);
    } catch (RocksDBException e) {
      throw failure("scan", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void iterate(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor)
      throws RocksDBException {
    try (RocksIterator it = db.newIterator(data)) {
      if (fromInclusive == null) {
        it.seekToFirst();
      } else {
        it.seek(fromInclusive);
      }
      for (; it.isValid(); it.next()) {
        byte[] key = it.key();
        if (toExclusive != null && Arrays.compareUnsigned(key, toExclusive) >= 0) {
          return;
        }
        if (!visitor.visit(key, it.value())) {
          return;
        }
      }
      it.status();
    }
  }

  @Override
  public long approximateKeys() {
    lock.readLock().lock();
    try {
      checkOpen();
      return db.getLongProperty(data, "rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      throw failure("read statistics", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Checkpoints, then closes RocksDB and frees every native object; later calls throw {@link
   * StoreClosedException}. Idempotent.
   *
   * @throws StorageException if the final flush fails (everything is freed all the same)
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        flush();
      } finally {
        StorageException closeFailure = closeAll(resources, null);
        LOG.info("Closed RocksDB engine in {} (durable through seq {})", directory, durable);
        if (closeFailure != null) {
          throw closeFailure;
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static StorageException closeAll(List<AutoCloseable> resources, Exception primary) {
    StorageException failure = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (failure == null) {
          failure =
              new StorageException(
                  "cannot close RocksDB resource " + resources.get(i) + ": " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    resources.clear();
    return failure;
  }

  private StorageException failure(String what, RocksDBException e) {
    return new StorageException(
        "RocksDB engine in " + directory + " failed to " + what + ": " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return "RocksDbEngine[" + directory + "]";
  }
}
