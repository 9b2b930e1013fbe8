package dev.kvstore.core.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A channel of a {@link SimulatedDisk}: positional reads and writes go to the real file, and each write, zero
 * extension, truncation and force is recorded with the disk, which decides at a crash what survives. After a
 * crash of its disk the channel is detached: writes, truncations and forces do nothing (a dead process's
 * I/O reaches no disk). A channel on a directory only forces, which does nothing: directory operations are
 * durable at once in this model.
 *
 * <p>Thread-safe: recording synchronizes on the disk.
 */
final class SimulatedFileChannel extends FileChannel {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

  private final SimulatedDisk disk;
  private final SimulatedDisk.FileState state; // null for a directory
  private final FileChannel real;
  private final int generation;

  SimulatedFileChannel(SimulatedDisk disk, SimulatedDisk.FileState state, FileChannel real, int generation) {
    this.disk = disk;
    this.state = state;
    this.real = real;
    this.generation = generation;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    int n = src.remaining();
    synchronized (disk) {
      if (disk.detached(generation)) {
        src.position(src.limit());
        return n;
      }
      checkFile();
      if (position >= real.size() && allZero(src)) {
        state.record(SimulatedDisk.Op.zeros(position, n));
        state.logicalSize = Math.max(state.logicalSize, position + n);
        src.position(src.limit());
        return n;
      }
      byte[] bytes = new byte[n];
      src.duplicate().get(bytes);
      long at = position;
      while (src.hasRemaining()) {
        at += real.write(src, at);
      }
      state.record(SimulatedDisk.Op.write(position, bytes));
      state.logicalSize = Math.max(state.logicalSize, position + n);
      return n;
    }
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    synchronized (disk) {
      int n = real.read(dst, position);
      long logical = state == null ? 0 : state.logicalSize;
      if (n <= 0 && position < logical && dst.hasRemaining()) { // inside a zero extension
        int zeros = (int) Math.min(dst.remaining(), logical - position);
        dst.put(new byte[zeros]);
        return zeros;
      }
      return n;
    }
  }

  @Override
  public long size() throws IOException {
    synchronized (disk) {
      return Math.max(real.size(), state == null ? 0 : state.logicalSize);
    }
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    synchronized (disk) {
      if (!disk.detached(generation)) {
        checkFile();
        real.truncate(size);
        state.record(SimulatedDisk.Op.truncate(size));
        state.logicalSize = Math.min(state.logicalSize, size);
      }
      return this;
    }
  }

  @Override
  public void force(boolean metaData) throws IOException {
    Runnable cut = null;
    synchronized (disk) {
      if (state != null && !disk.detached(generation)) {
        cut = disk.cutIfArmed();
        if (cut == null) {
          state.force();
        }
      }
    }
    if (cut != null) {
      cut.run();
    }
  }

  @Override
  protected void implCloseChannel() throws IOException {
    real.close();
  }

  private void checkFile() throws IOException {
    if (state == null) {
      throw new IOException("cannot write to a directory channel");
    }
  }

  private static boolean allZero(ByteBuffer src) {
    ByteBuffer rest = src.slice();
    while (rest.hasRemaining()) {
      int n = Math.min(rest.remaining(), ZEROS.capacity());
      if (rest.slice(rest.position(), n).mismatch(ZEROS.slice(0, n)) >= 0) {
        return false;
      }
      rest.position(rest.position() + n);
    }
    return true;
  }

  // ---- not used by the log

  @Override
  public int read(ByteBuffer dst) {
    throw unsupported();
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) {
    throw unsupported();
  }

  @Override
  public int write(ByteBuffer src) {
    throw unsupported();
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    throw unsupported();
  }

  @Override
  public long position() {
    throw unsupported();
  }

  @Override
  public FileChannel position(long newPosition) {
    throw unsupported();
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) {
    throw unsupported();
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw unsupported();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw unsupported();
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) {
    throw unsupported();
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) {
    throw unsupported();
  }

  private static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException("a simulated disk's channel supports positional reads and writes, "
        + "size, truncate and force only (all the write-ahead log uses)");
  }
}
