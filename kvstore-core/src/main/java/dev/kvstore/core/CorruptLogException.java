package dev.kvstore.core;

import java.nio.file.Path;

/**
 * A write-ahead log segment holds a bad record before its tail (a checksum mismatch, an impossible length,
 * a sequence gap), so the store refuses to open rather than silently drop data. The message names the
 * segment file and the byte offset; restore the file or move it away knowingly.
 */
public class CorruptLogException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final transient Path segment;
  private final long offset;

  /** Creates the exception for a bad record at {@code offset} in {@code segment}. */
  public CorruptLogException(Path segment, long offset, String problem) {
    super("corrupt write-ahead log " + segment + " at offset " + offset + ": " + problem
        + " (the store will not open; restore the segment from a backup or remove it knowingly)");
    this.segment = segment;
    this.offset = offset;
  }

  /** The segment file that holds the bad record. */
  public Path segment() {
    return segment;
  }

  /** The byte offset of the bad record within its segment. */
  public long offset() {
    return offset;
  }
}
