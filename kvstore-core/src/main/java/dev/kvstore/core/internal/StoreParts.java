package dev.kvstore.core.internal;

import dev.kvstore.core.EngineType;
import dev.kvstore.core.LocalStoreBuilder;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.core.internal.engine.BufferedEngine;
import dev.kvstore.core.internal.engine.CachingEngine;
import dev.kvstore.core.internal.engine.Engine;
import dev.kvstore.core.internal.engine.MemoryEngine;
import dev.kvstore.core.internal.engine.RocksDbEngine;
import dev.kvstore.core.internal.wal.SegmentedWal;
import dev.kvstore.core.internal.wal.WalOptions;

/**
 * What a local store is assembled from, in one place: the data directory (lock and identity), the
 * engine, and the commit log in front of it. Opening assembles them bottom-up and recovers; closing takes
 * them apart top-down. Not API. Thread-safe after open.
 *
 * @param directory the data directory, or null in memory
 * @param engine the engine
 * @param commitLog the log in front of the engine
 * @param storeId the store's id
 * @param incarnation the incarnation the store opened with (the directory's, or a fresh one in memory)
 */
record StoreParts(DataDirectory directory, Engine engine, CommitLog commitLog, String storeId, Incarnation incarnation) {
  /**
   * Bytes of applied writes a RocksDB store buffers before it drains them into RocksDB ({@link BufferedEngine};
   * up to twice this while a drain runs): 32 MiB, or a sixteenth of the heap if that is less (1 MiB at least).
   */
  static final long ENGINE_BUFFER_BYTES =
      Math.max(1L << 20, Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 16));

  static StoreParts open(LocalStoreConfig config) {
    if (config.dataDirectory() == null) {
      Engine engine = MemoryEngine.inMemory();
      return new StoreParts(null, engine, new DirectCommitLog(engine),
          DataDirectory.newStoreId(config.random()), Incarnation.first(config.random()));
    }
    DataDirectory dir = DataDirectory.open(config.dataDirectory(), config.nodeId(), config.random());
    Engine engine = null;
    try {
      engine = config.engine() == EngineType.ROCKSDB
          ? cached(new BufferedEngine(RocksDbEngine.open(dir.engineDirectory()), ENGINE_BUFFER_BYTES),
              config.valueCacheBytes())
          : MemoryEngine.open(dir.engineDirectory());
      SegmentedWal wal = SegmentedWal.open(
          WalOptions.defaults(dir.walDirectory(), config.durability())
              .withSegmentBytes(config.walSegmentBytes())
              .withMaxQueuedRecords(config.maxPendingWrites())
              .withMaxRecordBytes(config.maxSetBytes() + LocalStoreBuilder.MAX_KEY_LIMIT + 4096));
      CommitLog log;
      try {
        log = WalCommitLog.recover(engine, wal, config.checkpointBytes());
      } catch (RuntimeException e) {
        wal.close();
        throw e;
      }
      return new StoreParts(dir, engine, log, dir.storeId(), dir.incarnation());
    } catch (RuntimeException e) {
      try {
        if (engine != null) {
          engine.close();
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        try {
          dir.close();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  /**
   * The parts of a simulated store (see {@link LocalStore#openSimulated}): a memory engine filled by replaying the
   * whole log, a log that is never checkpointed (its segments are the only copy of the data), and a fresh store id
   * and incarnation drawn from the config's random generator.
   */
  static StoreParts openOnLog(LocalStoreConfig config, WalOptions walOptions) {
    Engine engine = MemoryEngine.inMemory();
    SegmentedWal wal = SegmentedWal.open(walOptions);
    CommitLog log;
    try {
      log = WalCommitLog.recover(engine, wal, Long.MAX_VALUE);
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
    return new StoreParts(null, engine, log, DataDirectory.newStoreId(config.random()),
        Incarnation.first(config.random()));
  }

  /**
   * Closes the log, then the engine, then the directory; marks the directory closed cleanly when the log
   * and engine closed without error and the log never failed (see {@link DataDirectory#markClean}).
   */
  void close() {
    boolean clean = false;
    try {
      try {
        commitLog.close();
      } finally {
        engine.close();
      }
      clean = commitLog.intact();
    } finally {
      if (directory != null) {
        try {
          if (clean) {
            directory.markClean();
          }
        } finally {
          directory.close();
        }
      }
    }
  }

  private static Engine cached(Engine engine, long bytes) {
    return bytes > 0 ? new CachingEngine(engine, bytes) : engine;
  }
}
