/**
 * The write-ahead log: segmented files of checksummed, sequence-numbered records, written by one
 * thread with group commit. The format is defined in {@code SegmentFormat} and docs/storage.md. Not
 * API, may change without notice.
 */
package dev.kvstore.core.internal.wal;
