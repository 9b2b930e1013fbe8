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
 * <p>Not thread-safe: confined to the writer thread (handed over once, before the thread starts).
 */
final class ActiveSegment implements Closeable {
  private final SegmentFiles.Segment segment;
  private final FileChannel channel;
  private long size;

  private ActiveSegment(SegmentFiles.Segment segment, FileChannel channel, long size) {
    this.segment = segment;
    this.channel = channel;
    this.size = size;
  }

  /** Opens {@code segment} to append after its current end (its header and records already checked). */
  static ActiveSegment open(ChannelFactory channels, SegmentFiles.Segment segment) throws IOException {
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

  /** Writes all of {@code buffer}'s remaining bytes at the end. */
  void write(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      size += channel.write(buffer, size);
    }
  }

  /** Forces the written data (and the size it implies) to disk. */
  void force() throws IOException {
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
