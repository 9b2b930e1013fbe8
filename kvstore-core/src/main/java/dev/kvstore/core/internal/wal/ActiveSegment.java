package dev.kvstore.core.internal.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
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
 * <p>Interrupts: a {@code FileChannel} closes itself when the thread using it is interrupted, and an application
 * thread may write the log (a blocking put that writes its own group, {@link WriteAheadLog#CALLER_WRITES}). So
 * every operation here is restartable: on {@link ClosedByInterruptException} the segment clears the interrupt,
 * reopens the file, repeats the operation (positional writes of the same bytes at the same offsets; a force of the
 * file), and sets the thread's interrupt again when it is done. An interrupt never breaks the log.
 *
 * <p>Not thread-safe: used only by the holder of the log writer's lock (the writer thread, an event loop
 * writing its own pass's appends, or a caller writing its own group).
 */
final class ActiveSegment implements Closeable {
  /** How far ahead of the end the file is extended with zeros. */
  static final int PREALLOCATE_BYTES = 4 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

  /** One restartable I/O step. */
  private interface Io {
    void run() throws IOException;
  }

  private final ChannelFactory channels;
  private final SegmentFiles.Segment segment;
  private FileChannel channel;
  private long size;
  private long allocated;

  private ActiveSegment(ChannelFactory channels, SegmentFiles.Segment segment, FileChannel channel, long size) {
    this.channels = channels;
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
      return new ActiveSegment(channels, segment, channel, channel.size());
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
    long start = size;
    int from = buffer.position();
    uninterruptibly(() -> {
      buffer.position(from);
      long at = start;
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
      size = at;
    });
  }

  /** Forces the written data (and the size it implies) to disk. */
  void force() throws IOException {
    dev.kvstore.core.internal.BlockingGuard.checkMayBlock("a write-ahead log force");
    uninterruptibly(() -> channel.force(false));
  }

  private void preallocate(long end) throws IOException {
    if (end <= allocated) {
      return;
    }
    long target = Math.max(end, allocated + PREALLOCATE_BYTES);
    uninterruptibly(() -> {
      long position = allocated;
      while (position < target) {
        ByteBuffer zeros = ZEROS.duplicate();
        zeros.limit((int) Math.min(zeros.capacity(), target - position));
        position += channel.write(zeros, position);
      }
    });
    allocated = target;
  }

  /** Runs {@code io}; if an interrupt closed the channel, reopens the file and runs it again (see the class note). */
  private void uninterruptibly(Io io) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          io.run();
          return;
        } catch (ClosedByInterruptException e) {
          interrupted = true;
          Thread.interrupted(); // cleared, so that the retry is not refused at once; set again below
          channel = channels.open(segment.path(), StandardOpenOption.WRITE);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
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
