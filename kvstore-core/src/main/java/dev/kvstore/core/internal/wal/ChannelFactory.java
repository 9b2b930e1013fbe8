package dev.kvstore.core.internal.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the file channels of log segments (and of the log directory, to force it after creating a
 * segment). The standard factory is {@code FileChannel::open}; tests wrap it to count {@code
 * force()} calls or inject I/O failures.
 */
@FunctionalInterface
public interface ChannelFactory {

  /**
   * Opens a channel on {@code path} with {@code options}.
   *
   * @throws IOException if the file cannot be opened
   */
  FileChannel open(Path path, OpenOption... options) throws IOException;

  /** The factory that opens real files with {@link FileChannel#open(Path, OpenOption...)}. */
  static ChannelFactory standard() {
    return FileChannel::open;
  }
}
