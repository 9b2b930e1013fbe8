package dev.kvstore.examples;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** Creates the directories the commands write to, failing with an exception that names what is wrong. */
final class Directories {
  private Directories() {}

  /**
   * Checks, without creating anything, that {@code dir} is a writable directory or can be created as one.
   *
   * @throws NotDirectoryException if {@code dir} or a parent is a file
   * @throws AccessDeniedException if it cannot be written or created
   */
  static void check(Path dir) throws IOException {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return;
    }
    if (!Files.isDirectory(p)) {
      throw new NotDirectoryException(p.toString());
    }
    if (!Files.isWritable(p)) {
      throw new AccessDeniedException(p.toString());
    }
  }

  /**
   * Creates {@code dir} and its parents if needed.
   *
   * @throws NotDirectoryException if {@code dir} or a parent is a file
   * @throws AccessDeniedException if it cannot be created or written
   * @throws IOException for another failure of the file system
   */
  static Path create(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    try {
      Files.createDirectories(dir);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new NotDirectoryException(e.getFile());
    }
    if (!Files.isWritable(dir)) {
      throw new AccessDeniedException(dir.toString());
    }
    return dir;
  }
}
