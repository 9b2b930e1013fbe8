package dev.kvstore.core.internal;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreLockedException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's data directory: its lock, its identity (store id, node id, ordered {@link Incarnation}) and the places of the
 * log and the engine. A directory without an identity is new (or was wiped) and gets a fresh random
 * incarnation, so the actor id of its versions never repeats one another replica may hold (Riak's kv679).
 * So does a directory whose store was not closed cleanly (no {@code CLEAN} marker): versions it handed out
 * may not have reached its disk. Incarnations are numbered ({@link Incarnation}); a directory restored from a
 * clean backup resumes the backup's incarnation, and the store takes a new one ({@link #renewIncarnation}) when
 * its peers show they hold counters of it that it did not issue (docs/storage.md, "Restore detection").
 * Not API. Thread-safe after {@link #open}; {@link #close} releases the lock.
 */
public final class DataDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
  private static final String IDENTITY = "IDENTITY";
  private static final String CLEAN = "CLEAN";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String storeId;
  private final Properties identity; // guarded by this
  private Incarnation incarnation; // guarded by this

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock, Properties identity) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.storeId = identity.getProperty("store");
    this.identity = identity;
    this.incarnation = Incarnation.parse(identity.getProperty("incarnation"));
  }

  /**
   * Creates the directory if needed, locks it, and reads or creates its identity.
   *
   * @throws StoreLockedException if another store holds the directory
   * @throws IllegalArgumentException if the directory belongs to another node id
   * @throws StorageException if the files cannot be read or written
   */
  public static DataDirectory open(Path root, String nodeId, java.util.random.RandomGenerator random) {
    FileChannel channel = null;
    try {
      Files.createDirectories(root);
      channel = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel, root);
      Properties identity = readOrCreateIdentity(root, nodeId, random);
      return new DataDirectory(root, channel, lock, identity);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException("cannot open data directory " + root + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel, Path root) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new StoreLockedException(
          "data directory " + root + " is already open by another store (in this or another process); "
              + "close it first or use another directory");
    }
    return lock;
  }

  private static Properties readOrCreateIdentity(Path root, String nodeId, java.util.random.RandomGenerator random)
      throws IOException {
    Path file = root.resolve(IDENTITY);
    Properties p = new Properties();
    if (Files.exists(file)) {
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      if (p.getProperty("store") == null || p.getProperty("node") == null || p.getProperty("incarnation") == null) {
        throw new StorageException("identity file " + file + " is incomplete; restore it or wipe the directory");
      }
      if (!nodeId.equals(p.getProperty("node"))) { // before anything changes (the clean marker, the incarnation)
        throw new IllegalArgumentException(
            "data directory " + root + " belongs to node '" + p.getProperty("node") + "', not '" + nodeId
                + "': use that node id or another directory");
      }
      try {
        Incarnation.parse(p.getProperty("incarnation"));
      } catch (IllegalArgumentException e) {
        throw new StorageException("identity file " + file + " has a bad incarnation ("
            + e.getMessage() + "); restore it or wipe the directory", e);
      }
      if (Files.isDirectory(root.resolve("wal")) && Files.isDirectory(root.resolve("engine"))) {
        Path clean = root.resolve(CLEAN);
        if (Files.deleteIfExists(clean)) {
          forceDirectory(root); // a crash from now on must find the marker gone
          return p;
        }
        // Not closed cleanly (killed, crashed, or its log failed). Versions this actor handed out may not
        // have reached this disk: a coordinator sends a new version to the other replicas while its own
        // log forces it, and with durability EVERY or NEVER an acknowledged write can be lost. Continuing
        // under the same incarnation could reissue such a counter for a different value.
        String old = nextIncarnation(root, p, random);
        log.info("data directory {} was not closed cleanly; new incarnation {} (was {}) so no version counter "
            + "it may have handed out is reused", root, p.getProperty("incarnation"), old);
        return p;
      }
      // The data was wiped but the identity kept: the old counters of this actor may live on in other
      // replicas, so continuing under the same incarnation could reissue them for new values.
      String old = nextIncarnation(root, p, random);
      log.warn("data directory {} has an identity but no log or engine: its data was lost; new incarnation {} "
          + "(was {}) so no version counter is ever reused", root, p.getProperty("incarnation"), old);
      return p;
    }
    p.setProperty("format", "1");
    p.setProperty("store", newStoreId(random));
    p.setProperty("node", nodeId);
    p.setProperty("incarnation", Incarnation.first(random).toString());
    writeIdentity(root, p);
    log.info("new data directory {}: node {}, incarnation {}", root, nodeId, p.getProperty("incarnation"));
    return p;
  }

  /** Moves {@code p} to the next incarnation, forced to the identity file before use; returns the old one. */
  private static String nextIncarnation(Path root, Properties p, java.util.random.RandomGenerator random)
      throws IOException {
    String old = p.getProperty("incarnation");
    p.setProperty("incarnation", Incarnation.parse(old).next(0, random).toString());
    writeIdentity(root, p);
    return old;
  }

  private static void writeIdentity(Path root, Properties p) throws IOException {
    Path file = root.resolve(IDENTITY);
    StringBuilder text = new StringBuilder("# kvstore data directory identity: do not edit\n");
    p.stringPropertyNames().stream().sorted().forEach(k -> text.append(k).append('=').append(p.getProperty(k)).append('\n'));
    Path tmp = root.resolve(IDENTITY + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      out.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(root);
  }

  /** A fresh random store id (a UUID drawn from {@code random}). */
  public static String newStoreId(java.util.random.RandomGenerator random) {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  /** Forces a directory's entries (file creations, renames) to disk. */
  public static void forceDirectory(Path dir) throws IOException {
    forceDirectory(dir, d -> FileChannel.open(d, StandardOpenOption.READ));
  }

  /** Opens a directory for reading (the log passes its own channel factory, which tests wrap). */
  @FunctionalInterface
  public interface DirectoryOpener {
    /** Opens {@code dir} as a channel to force. */
    FileChannel open(Path dir) throws IOException;
  }

  /**
   * Forces a directory's entries to disk through a channel from {@code opener}. On Windows, which cannot open a
   * directory as a channel, it does nothing: NTFS journals the metadata itself.
   */
  public static void forceDirectory(Path dir, DirectoryOpener opener) throws IOException {
    FileChannel channel;
    try {
      channel = opener.open(dir);
    } catch (IOException e) {
      if (System.getProperty("os.name", "").startsWith("Windows")) {
        return;
      }
      throw e;
    }
    try (channel) {
      channel.force(true);
    }
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  /** Where the write-ahead log's segments live. */
  public Path walDirectory() {
    return root.resolve("wal");
  }

  /** Where the engine keeps its files. */
  public Path engineDirectory() {
    return root.resolve("engine");
  }

  /** The store's random id, made when the directory was created. */
  public String storeId() {
    return storeId;
  }

  /** This directory's current incarnation. */
  public synchronized Incarnation incarnation() {
    return incarnation;
  }

  /**
   * Starts a new incarnation numbered above both the current one and {@code atLeastAbove}, and records it
   * (forced) in the identity file before returning it, so no dot is issued under it that a crash could
   * forget. Used when peers show that this directory's incarnation already issued counters it does not hold
   * (it was restored from a backup).
   *
   * @throws StorageException if the identity file cannot be written; the incarnation is then unchanged
   */
  public synchronized Incarnation renewIncarnation(long atLeastAbove, java.util.random.RandomGenerator random) {
    Incarnation next = incarnation.next(atLeastAbove, random);
    Properties p = (Properties) identity.clone();
    p.setProperty("incarnation", next.toString());
    try {
      writeIdentity(root, p);
    } catch (IOException e) {
      throw new StorageException("cannot record a new incarnation in " + root.resolve(IDENTITY) + ": "
          + e.getMessage(), e);
    }
    identity.setProperty("incarnation", next.toString());
    incarnation = next;
    return next;
  }

  /**
   * Records that the store closed cleanly: its log is durable and intact. The next open removes the marker
   * and keeps the incarnation; an open that finds no marker (the process was killed, or the log failed)
   * starts a new incarnation.
   *
   * @throws StorageException if the marker cannot be written
   */
  public void markClean() {
    try {
      Path clean = root.resolve(CLEAN);
      try (FileChannel out = FileChannel.open(clean, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        out.force(true);
      }
      forceDirectory(root);
    } catch (IOException e) {
      throw new StorageException("cannot mark data directory " + root + " as closed cleanly: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new StorageException("cannot release the lock of " + root + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        log.debug("closing lock file after failed open", suppressed);
      }
    }
  }
}
