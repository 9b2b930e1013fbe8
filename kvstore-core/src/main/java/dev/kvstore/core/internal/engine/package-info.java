/**
 * Storage engines under the write-ahead log: the {@link dev.kvstore.core.internal.engine.Engine}
 * SPI, a RocksDB engine and a memory engine. Not API, may change without notice.
 */
package dev.kvstore.core.internal.engine;
