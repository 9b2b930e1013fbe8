package dev.kvstore.core.internal.wal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a segment file through a sliding window with positional reads, so scanning (even byte by
 * byte on the failure path) costs few system calls and never allocates more than the file holds.
 *
 * <p>Not thread-safe: one recovery thread uses it.
 */
final class SegmentReader implements Closeable {
  private static final int WINDOW_BYTES = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private ByteBuffer window = ByteBuffer.allocate(0); // grown on demand, at most the file's size
  private long windowStart;

  private SegmentReader(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.size = channel.size();
  }

  /** Opens {@code path} for reading through {@code factory}. */
  static SegmentReader open(ChannelFactory factory, Path path) throws IOException {
    return new SegmentReader(path, factory.open(path, StandardOpenOption.READ));
  }

  /** The segment file. */
  Path path() {
    return path;
  }

  /** The file's size when it was opened. */
  long size() {
    return size;
  }

  /**
   * A read-only buffer of the {@code length} bytes at {@code offset}, positioned at them; valid
   * until the next call.
   *
   * @throws IllegalArgumentException if the range is not inside the file
   */
  ByteBuffer bytes(long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException(
          "range [" + offset + ", +" + length + ") outside " + path + " of " + size + " bytes");
    }
    if (offset < windowStart || offset + length > windowStart + window.limit()) {
      fill(offset, length);
    }
    int from = (int) (offset - windowStart);
    return window.asReadOnlyBuffer().limit(from + length).position(from);
  }

  /** The first {@code min(n, size)} bytes of the file, read on their own (no window). */
  ByteBuffer head(int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(n, size)).order(SegmentFormat.ORDER);
    while (b.hasRemaining()) {
      if (channel.read(b, b.position()) < 0) {
        throw new EOFException(path + " shrank while being read, at " + b.position());
      }
    }
    return b.flip();
  }

  /** Whether every byte from {@code offset} to the end of the file is zero. */
  boolean zeroFrom(long offset) throws IOException {
    for (long at = offset; at < size; ) {
      int n = (int) Math.min(WINDOW_BYTES, size - at);
      ByteBuffer b = bytes(at, n);
      for (int i = b.position(); i < b.limit(); i++) {
        if (b.get(i) != 0) {
          return false;
        }
      }
      at += n;
    }
    return true;
  }

  private void fill(long offset, int length) throws IOException {
    int want = (int) Math.min(Math.max(WINDOW_BYTES, length), size - offset);
    if (window.capacity() < want) {
      window = ByteBuffer.allocate(want).order(SegmentFormat.ORDER);
    }
    window.clear().limit(want);
    windowStart = offset;
    while (window.hasRemaining()) {
      if (channel.read(window, offset + window.position()) < 0) {
        throw new EOFException(
            path + " shrank while being read, at " + (offset + window.position()));
      }
    }
    window.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
