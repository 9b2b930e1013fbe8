package dev.kvstore.core;

/** The storage engine under a local store's write-ahead log. */
public enum EngineType {
  /** RocksDB (the default): data on disk, memory bounded by its block cache. */
  ROCKSDB,
  /** A sorted in-memory map with snapshot files: every key in the heap, fastest reads. */
  MEMORY
}
