package dev.kvstore.core.internal.engine;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.DataDirectory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot file of a {@link MemoryEngine}; the only class that knows its layout.
 *
 * <pre>
 * magic    4 bytes "KVMS"
 * version  1 byte  (= 1)
 * seq      long    the sequence number the snapshot is durable through
 * count    long    the number of entries
 * entries  count x (int keyLength, key bytes, int valueLength, value bytes), in key order
 * crc      int     CRC32C of every byte before it
 * </pre>
 *
 * All integers are big-endian. A snapshot is written to a temporary file, forced, renamed over the
 * old one and the directory forced, so a crash leaves either the old or the new snapshot.
 *
 * <p>Stateless and thread-safe.
 */
final class MemorySnapshot {
  /** The snapshot's file name in the engine directory. */
  static final String FILE_NAME = "memory-engine.snapshot";

  private static final String TEMP_NAME = FILE_NAME + ".tmp";
  private static final byte[] MAGIC = "KVMS".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;
  private static final int HEADER_BYTES = 4 + 1 + 8 + 8;

  /**
   * What a snapshot holds.
   *
   * @param seq the sequence number it is durable through
   * @param entries its entries, in unsigned key order
   */
  record Contents(long seq, ConcurrentSkipListMap<byte[], byte[]> entries) {}

  private MemorySnapshot() {}

  /** Removes a temporary file left by a crash during {@link #write}. */
  static void deleteLeftover(Path directory) throws IOException {
    Files.deleteIfExists(directory.resolve(TEMP_NAME));
  }

  /**
   * Reads the snapshot in {@code directory}, or returns an empty one at seq 0 if there is none.
   *
   * @throws StorageException naming the file if it cannot be read or is not a valid snapshot
   */
  static Contents read(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    ConcurrentSkipListMap<byte[], byte[]> entries =
        new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    if (!Files.exists(file)) {
      return new Contents(0, entries);
    }
    try (InputStream in = Files.newInputStream(file)) {
      long size = Files.size(file);
      CheckedInputStream checked =
          new CheckedInputStream(new BufferedInputStream(in, 1 << 16), new CRC32C());
      DataInputStream data = new DataInputStream(checked);
      long seq = readHeader(file, data);
      long count = data.readLong();
      long left = size - HEADER_BYTES - 4;
      if (seq < 0 || count < 0 || count > left / 8) {
        throw bad(file, "impossible header (seq " + seq + ", count " + count + ")");
      }
      for (long i = 0; i < count; i++) {
        byte[] key = readBytes(file, data, left);
        left -= 4 + key.length;
        byte[] value = readBytes(file, data, left);
        left -= 4 + value.length;
        entries.put(key, value);
      }
      int computed = (int) checked.getChecksum().getValue();
      int stored = data.readInt();
      if (computed != stored || data.read() != -1) {
        throw bad(
            file, computed != stored ? "checksum mismatch" : "trailing bytes after the checksum");
      }
      return new Contents(seq, entries);
    } catch (EOFException e) {
      throw new StorageException("memory engine snapshot " + file + " is truncated", e);
    } catch (IOException e) {
      throw new StorageException("cannot read memory engine snapshot " + file + ": " + e, e);
    }
  }

  private static long readHeader(Path file, DataInputStream data) throws IOException {
    byte[] magic = new byte[MAGIC.length];
    data.readFully(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw bad(file, "bad magic (expected \"KVMS\")");
    }
    byte version = data.readByte();
    if (version != VERSION) {
      throw bad(file, "unsupported version " + version);
    }
    return data.readLong();
  }

  private static byte[] readBytes(Path file, DataInputStream data, long left) throws IOException {
    int length = data.readInt();
    if (length < 0 || length > left - 4) {
      throw bad(file, "impossible entry length " + length);
    }
    byte[] bytes = new byte[length];
    data.readFully(bytes);
    return bytes;
  }

  private static StorageException bad(Path file, String problem) {
    return new StorageException(
        "memory engine snapshot "
            + file
            + " is not valid: "
            + problem
            + " (restore it from a backup or remove it to rebuild from the write-ahead log)");
  }

  /**
   * Writes a snapshot of {@code entries} durable through {@code seq} into {@code directory},
   * replacing the old one atomically.
   *
   * @throws StorageException naming the file if it cannot be written
   */
  static void write(Path directory, long seq, List<Map.Entry<byte[], byte[]>> entries) {
    Path temp = directory.resolve(TEMP_NAME);
    Path file = directory.resolve(FILE_NAME);
    try {
      try (FileChannel channel =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        CheckedOutputStream checked =
            new CheckedOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), new CRC32C());
        DataOutputStream data = new DataOutputStream(checked);
        data.write(MAGIC);
        data.writeByte(VERSION);
        data.writeLong(seq);
        data.writeLong(entries.size());
        for (Map.Entry<byte[], byte[]> e : entries) {
          data.writeInt(e.getKey().length);
          data.write(e.getKey());
          data.writeInt(e.getValue().length);
          data.write(e.getValue());
        }
        data.writeInt((int) checked.getChecksum().getValue());
        data.flush();
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      DataDirectory.forceDirectory(directory);
    } catch (IOException e) {
      throw new StorageException("cannot write memory engine snapshot " + file + ": " + e, e);
    }
  }

}
