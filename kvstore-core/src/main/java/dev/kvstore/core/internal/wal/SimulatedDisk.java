package dev.kvstore.core.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.random.RandomGenerator;

/**
 * A disk for deterministic simulation, behind the log's {@link ChannelFactory}: its channels write through to
 * real files (so the log's directory operations work as usual) while the disk remembers, per file, what was
 * forced. {@link #crash} is a power cut: every file keeps exactly its forced bytes plus a seeded prefix of the
 * writes made after its last force, the last write of that prefix possibly torn, and channels opened before the
 * crash are detached (whatever their owner still writes or forces goes nowhere). A store reopened on the same
 * directory then recovers from what a real machine could have kept.
 *
 * <p>The model: writes to one file reach the disk in the order they were made, a force makes every earlier write
 * of the file durable, and directory operations (create, rename, delete) are durable at once (the log forces the
 * directory right after each, in the same step, so no simulated crash can come between). A run of zeros written
 * at or past the end of a file (the log's preallocation) extends the file logically without storing the zeros; a
 * crash may lose that extension, like any size change that was not forced, and a zero tail is a clean end to the
 * log anyway.
 *
 * <p>Only positional reads and writes, size, truncate and force are supported: all the log uses. Thread-safe:
 * every operation synchronizes on the disk; the simulation calls it from one thread.
 */
public final class SimulatedDisk implements ChannelFactory {
  // Per file opened through this disk since the last crash, in path order so a crash draws in a fixed order.
  private final Map<Path, FileState> files = new TreeMap<>();
  private int generation; // incremented by each crash: channels of an older generation are detached
  private long crashes;
  private long bytesLost;
  // An armed crash: the random source it draws from and what runs after it (see crashAtNextForce).
  private RandomGenerator armedRandom;
  private LongConsumer armedThen;

  private SimulatedDisk() {}

  /** Returns a disk with no crash yet. */
  public static SimulatedDisk create() {
    return new SimulatedDisk();
  }

  @Override
  public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
    FileChannel real = FileChannel.open(path, options);
    if (Files.isDirectory(path)) {
      return new SimulatedFileChannel(this, null, real, generation);
    }
    // A file new to the disk (or created again) is durable as it is: written in an earlier life, or renamed from
    // a file the log forced before renaming it.
    FileState state = Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW) ? null : files.get(path);
    if (state == null) {
      state = new FileState(Image.of(Files.readAllBytes(path)));
      files.put(path, state);
    }
    return new SimulatedFileChannel(this, state, real, generation);
  }

  /**
   * Cuts the power: every file written since its last force is rewritten to its forced bytes plus a prefix of
   * the later writes drawn from {@code random} (none, some, or all of them; the last one kept may be cut short,
   * a torn write). Channels opened before are detached from then on. Call it while nothing runs on the
   * disk's files (the simulation is single-threaded).
   *
   * @return how many bytes written but not forced were lost, in total over the files
   * @throws IOException if a real file cannot be rewritten
   */
  public synchronized long crash(RandomGenerator random) throws IOException {
    generation++;
    crashes++;
    long lost = 0;
    for (Map.Entry<Path, FileState> e : files.entrySet()) {
      FileState state = e.getValue();
      if (state.pending.isEmpty() || !Files.exists(e.getKey())) {
        continue;
      }
      Image image = state.durable.copy();
      int kept = random.nextInt(state.pending.size() + 1);
      for (int i = 0; i < kept; i++) {
        state.pending.get(i).applyTo(image);
      }
      for (int i = kept; i < state.pending.size(); i++) {
        Op op = state.pending.get(i);
        int torn = i == kept && op.bytes != null && op.bytes.length > 1 && random.nextBoolean()
            ? random.nextInt(1, op.bytes.length) : 0;
        if (torn > 0) {
          image.write(op.position, Arrays.copyOf(op.bytes, torn));
        }
        lost += op.bytes == null ? 0 : op.bytes.length - torn;
      }
      try (FileChannel out = FileChannel.open(e.getKey(), StandardOpenOption.WRITE)) {
        ByteBuffer data = ByteBuffer.wrap(image.data, 0, image.materialized);
        long at = 0;
        while (data.hasRemaining()) {
          at += out.write(data, at);
        }
        out.truncate(image.materialized);
      }
    }
    files.clear();
    bytesLost += lost;
    return lost;
  }

  /**
   * Arms a crash in the middle of the next force of a file of this disk: the power goes when the writes the force
   * would make durable are on the disk but not yet durable, so {@link #crash} keeps a random prefix of them (maybe
   * torn). Then {@code then} runs with the bytes lost, on the forcing thread, and the force returns as if it had
   * worked: {@code then} must stop the process at once, so that nothing it does after the force (acknowledging the
   * write) leaves it. Replaces a crash armed before.
   */
  public synchronized void crashAtNextForce(RandomGenerator random, LongConsumer then) {
    armedRandom = java.util.Objects.requireNonNull(random, "random");
    armedThen = java.util.Objects.requireNonNull(then, "then");
  }

  /** Disarms the crash armed by {@link #crashAtNextForce}; returns whether one was armed (and had not happened). */
  public synchronized boolean disarm() {
    boolean armed = armedThen != null;
    armedThen = null;
    armedRandom = null;
    return armed;
  }

  /** How many crashes this disk has had. */
  public synchronized long crashes() {
    return crashes;
  }

  /** How many written but unforced bytes all crashes so far lost. */
  public synchronized long bytesLost() {
    return bytesLost;
  }

  @Override
  public synchronized String toString() {
    return "SimulatedDisk[files=" + files.size() + ", crashes=" + crashes + ", bytesLost=" + bytesLost + "]";
  }

  // ---- for the channels, under the disk's lock

  synchronized boolean detached(int channelGeneration) {
    return channelGeneration != generation;
  }

  /** At a force, under the lock: if a crash is armed, cuts the power now and returns what runs after the lock. */
  Runnable cutIfArmed() throws IOException {
    if (armedThen == null) {
      return null;
    }
    LongConsumer then = armedThen;
    RandomGenerator random = armedRandom;
    armedThen = null;
    armedRandom = null;
    long lost = crash(random);
    return () -> then.accept(lost);
  }

  /** What the disk knows of one file: its forced image and the writes made since. Guarded by the disk. */
  static final class FileState {
    final Image durable;
    final List<Op> pending = new ArrayList<>();
    long logicalSize; // the size the writer sees, zero extensions included

    FileState(Image durable) {
      this.durable = durable;
      this.logicalSize = durable.size;
    }

    void record(Op op) {
      pending.add(op);
    }

    void force() {
      pending.forEach(op -> op.applyTo(durable));
      pending.clear();
    }
  }

  /**
   * One change to a file: a write of {@code bytes} at {@code position}, a zero extension to {@code position +
   * zeros} (bytes null), or a truncation to {@code position} (bytes null, zeros negative).
   */
  record Op(long position, byte[] bytes, long zeros) {
    static Op write(long position, byte[] bytes) {
      return new Op(position, bytes, 0);
    }

    static Op zeros(long position, long length) {
      return new Op(position, null, length);
    }

    static Op truncate(long size) {
      return new Op(size, null, -1);
    }

    void applyTo(Image image) {
      if (bytes != null) {
        image.write(position, bytes);
      } else if (zeros >= 0) {
        image.zeros(position, zeros);
      } else {
        image.truncate(position);
      }
    }
  }

  /** A file's contents: the bytes up to {@code materialized}, then zeros up to {@code size}. */
  static final class Image {
    byte[] data;
    int materialized;
    long size;

    private Image(byte[] data, int materialized, long size) {
      this.data = data;
      this.materialized = materialized;
      this.size = size;
    }

    static Image of(byte[] bytes) {
      return new Image(bytes, bytes.length, bytes.length);
    }

    Image copy() {
      return new Image(Arrays.copyOf(data, materialized), materialized, size);
    }

    void write(long position, byte[] bytes) {
      int end = Math.toIntExact(position + bytes.length);
      if (end > data.length) {
        data = Arrays.copyOf(data, Math.max(end, data.length * 2));
      }
      if (position > materialized) {
        Arrays.fill(data, materialized, (int) position, (byte) 0);
      }
      System.arraycopy(bytes, 0, data, (int) position, bytes.length);
      materialized = Math.max(materialized, end);
      size = Math.max(size, end);
    }

    void zeros(long position, long length) {
      if (position < materialized) {
        Arrays.fill(data, (int) position, (int) Math.min(materialized, position + length), (byte) 0);
      }
      size = Math.max(size, position + length);
    }

    void truncate(long newSize) {
      materialized = (int) Math.min(materialized, newSize);
      size = Math.min(size, newSize);
    }
  }
}
