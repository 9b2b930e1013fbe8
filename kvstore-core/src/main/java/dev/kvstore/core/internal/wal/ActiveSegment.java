package dev.kvstore.core.internal.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The segment being appended to: its channel and the offset of its end.
 *
 * <p>Space is preallocated ahead of the end in {@value #PREALLOCATE_BYTES}-byte chunks of zeros, so most
 * appends overwrite allocated blocks and their {@code force()} need not also journal a new file size (on
 * ext4 this makes a small append's force about 30% cheaper). A zero tail is a clean end for recovery (see
 * {@link SegmentScanner}); {@link #close()} cuts it off.
 *
 * <p>Not thread-safe: used only by the holder of the log writer's lock (the writer thread, or an event loop
 * writing its own pass's appends).
 */
final class ActiveSegment implements Closeable {
  /** How far ahead of the end the file is extended with zeros. */
  static final int PREALLOCATE_BYTES = 4 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

  private final SegmentFiles.Segment segment;
  private final FileChannel channel;
  private long size;
  private long allocated;

  private ActiveSegment(SegmentFiles.Segment segment, FileChannel channel, long size) {
    this.segment = segment;
    this.channel = channel;
    this.size = size;
    this.allocated = size;
  }

  /**
   * Opens {@code segment} to append after its current end (its header and records already checked).
   */
  static ActiveSegment open(ChannelFactory channels, SegmentFiles.Segment segment)
      throws IOException {
    FileChannel channel = channels.open(segment.path(), StandardOpenOption.WRITE);
    try {
      return new ActiveSegment(segment, channel, channel.size());
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file. */
  Path path() {
    return segment.path();
  }

  /** The offset where the next record goes. */
  long size() {
    return size;
  }

  /** Whether the segment holds no record yet. */
  boolean isEmpty() {
    return size <= SegmentFormat.HEADER_BYTES;
  }

  /**
   * How many bytes can be appended without extending the preallocated space or passing {@code segmentBytes}
   * (so without writing zeros ahead or rolling to a new segment).
   */
  long room(long segmentBytes) {
    return Math.max(0, Math.min(allocated, segmentBytes) - size);
  }

  /** Writes all of {@code buffer}'s remaining bytes at the end. */
  void write(ByteBuffer buffer) throws IOException {
    preallocate(size + buffer.remaining());
    while (buffer.hasRemaining()) {
      size += channel.write(buffer, size);
    }
  }

  /** Forces the written data (and the size it implies) to disk. */
  void force() throws IOException {
    dev.kvstore.core.internal.BlockingGuard.checkMayBlock("a write-ahead log force");
    channel.force(false);
  }

  private void preallocate(long end) throws IOException {
    if (end <= allocated) {
      return;
    }
    long target = Math.max(end, allocated + PREALLOCATE_BYTES);
    long position = allocated;
    while (position < target) {
      ByteBuffer zeros = ZEROS.duplicate();
      zeros.limit((int) Math.min(zeros.capacity(), target - position));
      position += channel.write(zeros, position);
    }
    allocated = target;
  }

  /** Cuts the preallocated zeros off (no force needed: a zero tail is a clean end) and closes the file. */
  @Override
  public void close() throws IOException {
    try {
      if (allocated > size && channel.isOpen()) {
        channel.truncate(size);
      }
    } finally {
      channel.close();
    }
  }
}
