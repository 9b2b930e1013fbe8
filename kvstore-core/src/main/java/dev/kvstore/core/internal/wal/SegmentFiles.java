package dev.kvstore.core.internal.wal;

import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.DataDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of one log directory, oldest first: lists them at open, creates new ones
 * atomically (header written and forced under a temporary name, then renamed, then the directory
 * forced) and deletes old ones.
 *
 * <p>Thread-safe: the list is guarded by {@code this}; the writer thread adds, any thread deletes.
 * The newest segment (the active one) is never deleted.
 */
final class SegmentFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);

  /**
   * One segment file and the sequence number of its first record.
   *
   * @param path the file
   * @param firstSeq the sequence number in its name
   */
  record Segment(Path path, long firstSeq) {}

  private final Path directory;
  private final ChannelFactory channels;
  private final List<Segment> segments; // guarded by this

  private SegmentFiles(Path directory, ChannelFactory channels, List<Segment> segments) {
    this.directory = directory;
    this.channels = channels;
    this.segments = segments;
  }

  /**
   * Lists the segments of {@code directory} (created if missing), removing leftover temporary
   * files.
   */
  static SegmentFiles open(Path directory, ChannelFactory channels) throws IOException {
    Files.createDirectories(directory);
    List<Segment> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        long firstSeq = SegmentFormat.firstSeqOf(name);
        if (firstSeq >= 0) {
          found.add(new Segment(file, firstSeq));
        } else if (name.startsWith("wal-") && name.endsWith(SegmentFormat.TEMP_SUFFIX)) {
          LOG.info("Deleting {}: a segment whose creation did not finish", file);
          Files.delete(file);
        }
      }
    }
    found.sort(Comparator.comparingLong(Segment::firstSeq));
    return new SegmentFiles(directory, channels, found);
  }

  /** The log directory. */
  Path directory() {
    return directory;
  }

  /** The segments now, oldest first. */
  synchronized List<Segment> list() {
    return List.copyOf(segments);
  }

  /** How many segments there are. */
  synchronized int count() {
    return segments.size();
  }

  /**
   * Creates the segment whose first record will have sequence number {@code firstSeq} and adds it
   * as the newest.
   */
  Segment create(long firstSeq) throws IOException {
    Path target = directory.resolve(SegmentFormat.fileName(firstSeq));
    Path temp = directory.resolve(target.getFileName() + SegmentFormat.TEMP_SUFFIX);
    try (FileChannel channel =
        channels.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(SegmentFormat.header(), 0);
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory();
    Segment segment = new Segment(target, firstSeq);
    synchronized (this) {
      segments.add(segment);
    }
    LOG.debug("Created write-ahead log segment {}", target);
    return segment;
  }

  /**
   * Deletes, oldest first, every segment that has a successor whose first sequence number is at
   * most {@code seq + 1} (so all its records are at or below {@code seq}); returns how many it
   * deleted.
   *
   * @throws StorageException if a file cannot be deleted
   */
  synchronized int deleteThrough(long seq) {
    int deleted = 0;
    while (segments.size() > 1 && segments.get(1).firstSeq() - 1 <= seq) {
      delete(segments.remove(0).path(), "all its records are at or below seq " + seq);
      deleted++;
    }
    return deleted;
  }

  /**
   * Deletes every segment and returns how many; used when the engine is durable beyond the whole
   * log.
   *
   * @throws StorageException if a file cannot be deleted
   */
  synchronized int deleteAll(String reason) {
    int deleted = 0;
    while (!segments.isEmpty()) {
      delete(segments.remove(0).path(), reason);
      deleted++;
    }
    return deleted;
  }

  private static void delete(Path path, String reason) {
    try {
      Files.deleteIfExists(path);
      LOG.debug("Deleted write-ahead log segment {}: {}", path, reason);
    } catch (IOException e) {
      throw new StorageException(
          "cannot delete write-ahead log segment " + path + ": " + e.getMessage(), e);
    }
  }

  /** Forces the directory, so that files created or renamed in it survive a machine crash. */
  private void forceDirectory() throws IOException {
    DataDirectory.forceDirectory(directory, d -> channels.open(d, StandardOpenOption.READ));
  }
}
