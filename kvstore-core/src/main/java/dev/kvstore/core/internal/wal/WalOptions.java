package dev.kvstore.core.internal.wal;

import dev.kvstore.core.Durability;
import dev.kvstore.core.internal.Arguments;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How a {@link SegmentedWal} is opened: where, with which durability, how large segments and
 * records may grow, and the injected time source and file opener. Immutable; change one option with
 * a {@code with...} method.
 *
 * @param directory the log directory (created if missing)
 * @param durability when appends complete relative to {@code force()}
 * @param segmentBytes the size at which the active segment is rolled, in [{@value
 *     #MIN_SEGMENT_BYTES}, 2^62]
 * @param maxRecordBytes the largest payload accepted, in [1, {@value
 *     SegmentFormat#MAX_PAYLOAD_BYTES}]
 * @param nanoTicker elapsed time in nanoseconds, for the {@code PERIODIC} force interval
 * @param channelFactory opens segment files
 * @param maxQueuedRecords the most appends that may wait for the writer before new ones are refused with
 *     {@link dev.kvstore.core.OverloadedException}, in [1, 2^24]
 * @param callerDriven whether the log runs without a writer thread, for deterministic simulation: every append
 *     must come from an event loop ({@link dev.kvstore.core.internal.LoopExecutor}) on its own thread, naming
 *     itself as the completer, and that loop writes, forces and completes the appends at the end of its pass
 *     (segment rolls included); {@link SegmentedWal#close} writes what is left on the closing thread. Needs
 *     durability {@code ALWAYS} or {@code NEVER} (the {@code PERIODIC} timer is the writer thread's)
 */
public record WalOptions(
    Path directory,
    Durability durability,
    long segmentBytes,
    int maxRecordBytes,
    LongSupplier nanoTicker,
    ChannelFactory channelFactory,
    int maxQueuedRecords,
    boolean callerDriven) {

  /** The default segment size, 64 MiB. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

  /** The default largest payload, 16 MiB. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;

  /** The default bound of the append queue. */
  public static final int DEFAULT_MAX_QUEUED_RECORDS = 65_536;

  /** The smallest segment size accepted (a test setting: real logs use megabytes). */
  public static final long MIN_SEGMENT_BYTES = 64;

  private static final long MAX_SEGMENT_BYTES = 1L << 62;

  /**
   * Creates options, checking each one.
   *
   * @throws IllegalArgumentException naming the option and its allowed range
   */
  public WalOptions {
    requireNonNull(directory, "directory");
    requireNonNull(durability, "durability");
    requireNonNull(nanoTicker, "nanoTicker");
    requireNonNull(channelFactory, "channelFactory");
    Arguments.checkRange("segmentBytes", segmentBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
    Arguments.checkRange("maxRecordBytes", maxRecordBytes, 1, SegmentFormat.MAX_PAYLOAD_BYTES);
    Arguments.checkRange("maxQueuedRecords", maxQueuedRecords, 1, 1 << 24);
    if (callerDriven && durability.mode() == Durability.Mode.PERIODIC) {
      throw new IllegalArgumentException("callerDriven needs durability ALWAYS or NEVER, got " + durability);
    }
  }

  /**
   * Options with the defaults: 64 MiB segments, 16 MiB records, the system ticker, real files.
   *
   * @throws IllegalArgumentException if directory or durability is null
   */
  public static WalOptions defaults(Path directory, Durability durability) {
    return new WalOptions(
        directory,
        durability,
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_MAX_RECORD_BYTES,
        System::nanoTime,
        ChannelFactory.standard(),
        DEFAULT_MAX_QUEUED_RECORDS,
        false);
  }

  /**
   * These options with another durability.
   *
   * @throws IllegalArgumentException if durability is null
   */
  public WalOptions withDurability(Durability newDurability) {
    return with(c -> c.durability = newDurability);
  }

  /**
   * These options with another segment size.
   *
   * @throws IllegalArgumentException if the size is out of range
   */
  public WalOptions withSegmentBytes(long newSegmentBytes) {
    return with(c -> c.segmentBytes = newSegmentBytes);
  }

  /**
   * These options with another largest payload.
   *
   * @throws IllegalArgumentException if the size is out of range
   */
  public WalOptions withMaxRecordBytes(int newMaxRecordBytes) {
    return with(c -> c.maxRecordBytes = newMaxRecordBytes);
  }

  /**
   * These options with another ticker.
   *
   * @throws IllegalArgumentException if the ticker is null
   */
  public WalOptions withNanoTicker(LongSupplier newNanoTicker) {
    return with(c -> c.nanoTicker = newNanoTicker);
  }

  /**
   * These options with another channel factory.
   *
   * @throws IllegalArgumentException if the factory is null
   */
  public WalOptions withChannelFactory(ChannelFactory newChannelFactory) {
    return with(c -> c.channelFactory = newChannelFactory);
  }

  /**
   * These options with another bound of the append queue.
   *
   * @throws IllegalArgumentException if the bound is out of range
   */
  public WalOptions withMaxQueuedRecords(int newMaxQueuedRecords) {
    return with(c -> c.maxQueuedRecords = newMaxQueuedRecords);
  }

  private WalOptions with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy();
    change.accept(copy);
    return copy.options();
  }

  /** A copy of these options that one {@code with...} method changes before it is checked and built. */
  private final class Copy {
    Path directory = WalOptions.this.directory;
    Durability durability = WalOptions.this.durability;
    long segmentBytes = WalOptions.this.segmentBytes;
    int maxRecordBytes = WalOptions.this.maxRecordBytes;
    LongSupplier nanoTicker = WalOptions.this.nanoTicker;
    ChannelFactory channelFactory = WalOptions.this.channelFactory;
    int maxQueuedRecords = WalOptions.this.maxQueuedRecords;
    boolean callerDriven = WalOptions.this.callerDriven;

    WalOptions options() {
      return new WalOptions(directory, durability, segmentBytes, maxRecordBytes, nanoTicker, channelFactory,
          maxQueuedRecords, callerDriven);
    }
  }

  private static void requireNonNull(Object value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  /**
   * These options with the log driven by its callers' event loops instead of a writer thread (see {@link
   * #callerDriven}).
   *
   * @throws IllegalArgumentException if {@code driven} is true and the durability is {@code PERIODIC}
   */
  public WalOptions withCallerDriven(boolean driven) {
    return with(c -> c.callerDriven = driven);
  }
}
