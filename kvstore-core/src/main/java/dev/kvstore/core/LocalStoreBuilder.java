package dev.kvstore.core;

import dev.kvstore.core.internal.Arguments;
import dev.kvstore.core.internal.LocalStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Builds a local store: one node's data on this machine, no network.
 *
 * <pre>{@code
 * try (KvStore store = KvStore.local().dataDirectory(Path.of("data")).open()) {
 *   store.put("greeting", "hello");
 * }
 * }</pre>
 *
 * Every setter checks its argument at once; {@link #open()} checks the combination. Defaults: engine
 * {@link EngineType#ROCKSDB}, durability {@link Durability#ALWAYS}, conflict policy {@link
 * ConflictPolicy#SIBLINGS}, node id {@code local}, keys up to 1 KiB, values up to 1 MiB, a key's sibling set
 * up to 16 MiB, tombstones kept for 1 hour. Not thread-safe; the store it opens is.
 */
public final class LocalStoreBuilder {
  /** The largest value limit a store accepts: 64 MiB. */
  public static final int MAX_VALUE_LIMIT = 64 << 20;
  /** The largest key limit a store accepts: 64 KiB - 1. */
  public static final int MAX_KEY_LIMIT = 65_535;

  /** The default of {@link #maxSetBytes(int)}: 16 MiB. */
  public static final int DEFAULT_MAX_SET_BYTES = 16 << 20;
  /** The largest sibling set limit a store accepts: 256 MiB. */
  public static final int MAX_SET_LIMIT = 256 << 20;
  /** What a sibling set needs besides its values (clocks, dots, timestamps), reserved by {@link #maxSetBytes}. */
  public static final int SET_OVERHEAD_BYTES = 4096;

  /** The default of {@link #maxPendingWrites(int)}: writes that may wait for the disk. */
  public static final int DEFAULT_MAX_PENDING_WRITES = 65_536;

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Path dataDirectory;
  private boolean inMemory;
  private String nodeId = "local";
  private EngineType engine = EngineType.ROCKSDB;
  private Durability durability = Durability.ALWAYS;
  private ConflictPolicy conflictPolicy = ConflictPolicy.SIBLINGS;
  private ConflictResolver conflictResolver;
  private int maxKeyBytes = 1024;
  private int maxValueBytes = 1 << 20;
  private Duration tombstoneGrace = Duration.ofHours(1);
  private InstantSource clock = InstantSource.system();
  private long walSegmentBytes = 64L << 20;
  private long checkpointBytes = 256L << 20;
  private String contextScope;
  private java.util.random.RandomGenerator random;
  private int maxPendingWrites = DEFAULT_MAX_PENDING_WRITES;
  private long valueCacheBytes;
  private int maxSetBytes = DEFAULT_MAX_SET_BYTES;

  LocalStoreBuilder() {}

  /** The directory holding the log, the engine's files, the identity and the lock (created if absent). */
  public LocalStoreBuilder dataDirectory(Path directory) {
    this.dataDirectory = Objects.requireNonNull(directory, "dataDirectory");
    return this;
  }

  /**
   * No directory at all: a {@link EngineType#MEMORY} engine without a log, gone when closed. Writes complete
   * synchronously; meant for tests and simulations.
   */
  public LocalStoreBuilder inMemory() {
    this.inMemory = true;
    return this;
  }

  /**
   * The node id, 1 to 64 characters of {@code [A-Za-z0-9_-]}. The store's actor id in versions is this id
   * plus the data directory's incarnation.
   */
  public LocalStoreBuilder nodeId(String id) {
    if (id == null || !NODE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("nodeId must be 1 to 64 characters of [A-Za-z0-9_-], got " + id);
    }
    this.nodeId = id;
    return this;
  }

  /** The storage engine (default {@link EngineType#ROCKSDB}). */
  public LocalStoreBuilder engine(EngineType type) {
    this.engine = Objects.requireNonNull(type, "engine");
    return this;
  }

  /** When writes count as done (default {@link Durability#ALWAYS}). */
  public LocalStoreBuilder durability(Durability d) {
    this.durability = Objects.requireNonNull(d, "durability");
    return this;
  }

  /** How concurrent writes are kept (default {@link ConflictPolicy#SIBLINGS}). */
  public LocalStoreBuilder conflictPolicy(ConflictPolicy policy) {
    this.conflictPolicy = Objects.requireNonNull(policy, "conflictPolicy");
    return this;
  }

  /** Resolves siblings at read time (only with {@link ConflictPolicy#SIBLINGS}). */
  public LocalStoreBuilder conflictResolver(ConflictResolver resolver) {
    this.conflictResolver = Objects.requireNonNull(resolver, "conflictResolver");
    return this;
  }

  /** The longest key accepted, 1 to 65535 bytes (default 1024). */
  public LocalStoreBuilder maxKeyBytes(int limit) {
    this.maxKeyBytes = Arguments.checkRange("maxKeyBytes", limit, 1, MAX_KEY_LIMIT);
    return this;
  }

  /** The longest value accepted, 0 to 64 MiB (default 1 MiB). */
  public LocalStoreBuilder maxValueBytes(int limit) {
    this.maxValueBytes = Arguments.checkRange("maxValueBytes", limit, 0, MAX_VALUE_LIMIT);
    return this;
  }

  /**
   * The largest encoded sibling set one key may hold (its values and tombstones with their clocks), 4 KiB to
   * 256 MiB (default 16 MiB); it must hold one value of {@link #maxValueBytes} plus {@value #SET_OVERHEAD_BYTES}
   * bytes. A write that would make a key's set larger is refused with {@link InvalidRequestException} (reason
   * {@link InvalidRequestException.Reason#SET_TOO_LARGE}) before anything is logged: read the key and write the
   * resolution with its context. A cluster node sizes its frames from this limit, so every set it accepts can
   * be replicated and read from any node.
   */
  public LocalStoreBuilder maxSetBytes(int limit) {
    this.maxSetBytes = Arguments.checkRange("maxSetBytes", limit, SET_OVERHEAD_BYTES, MAX_SET_LIMIT);
    return this;
  }

  /** How long a tombstone is kept before it may be purged (default 1 hour; zero or more). */
  public LocalStoreBuilder tombstoneGrace(Duration grace) {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("tombstoneGrace must be zero or positive, got " + grace);
    }
    this.tombstoneGrace = grace;
    return this;
  }

  /** The wall clock for hybrid logical time and tombstone age (default the system clock). */
  public LocalStoreBuilder clock(InstantSource source) {
    this.clock = Objects.requireNonNull(source, "clock");
    return this;
  }

  /** The size at which the log starts a new segment, 4 KiB to 1 GiB (default 64 MiB). */
  public LocalStoreBuilder walSegmentBytes(long bytes) {
    this.walSegmentBytes = Arguments.checkRange("walSegmentBytes", bytes, 4096, 1L << 30);
    return this;
  }

  /** Log bytes after which the engine is checkpointed and old segments deleted, 4 KiB to 16 GiB (default 256 MiB). */
  public LocalStoreBuilder checkpointBytes(long bytes) {
    this.checkpointBytes = Arguments.checkRange("checkpointBytes", bytes, 4096, 16L << 30);
    return this;
  }

  /**
   * The scope of the contexts this store hands out and accepts (default: the store's own id, kept in its
   * directory). A cluster sets its cluster id here so contexts travel between its nodes.
   */
  public LocalStoreBuilder contextScope(String scope) {
    this.contextScope = Arguments.checkLength("contextScope", scope, 1, 128);
    return this;
  }

  /**
   * Where a new data directory (or an in-memory store) draws its random incarnation and store id from
   * (default a {@link java.security.SecureRandom}). Simulations pass a seeded generator to replay runs.
   */
  public LocalStoreBuilder random(java.util.random.RandomGenerator source) {
    this.random = Objects.requireNonNull(source, "random");
    return this;
  }

  /**
   * The most writes that may wait for the disk, 1 to 16,777,216 (default 65,536). A write beyond it is
   * refused at once with {@link OverloadedException} and changes nothing, so a disk that cannot keep up
   * shows as refusals and latency rather than a growing heap.
   */
  public LocalStoreBuilder maxPendingWrites(int writes) {
    this.maxPendingWrites = Arguments.checkRange("maxPendingWrites", writes, 1, 1 << 24);
    return this;
  }

  /**
   * Keeps up to this many bytes of recently written keys' values in memory in front of RocksDB, 0 to 16 GiB
   * (default 0: none). Worth it when written keys are soon read or written again (a cluster node reads every
   * key it writes; its default is 64 MiB): such a read is then a hash lookup instead of a RocksDB search. On a
   * load that only inserts new keys it costs a few percent of throughput. Ignored by the memory engine.
   */
  public LocalStoreBuilder valueCacheBytes(long bytes) {
    this.valueCacheBytes = Arguments.checkRange("valueCacheBytes", bytes, 0, 16L << 30);
    return this;
  }

  /** The options as one immutable value (checked as by {@link #open()}). */
  public LocalStoreConfig config() {
    if (inMemory == (dataDirectory != null)) {
      throw new IllegalArgumentException(
          inMemory
              ? "choose either inMemory() or dataDirectory(...), not both"
              : "set dataDirectory(path) for a durable store, or inMemory() for a throw-away one");
    }
    if (conflictResolver != null && conflictPolicy != ConflictPolicy.SIBLINGS) {
      throw new IllegalArgumentException("a conflictResolver needs conflictPolicy SIBLINGS, not " + conflictPolicy);
    }
    if ((long) maxValueBytes + SET_OVERHEAD_BYTES > maxSetBytes) {
      throw new IllegalArgumentException("maxSetBytes (" + maxSetBytes + ") must hold one value: at least maxValueBytes ("
          + maxValueBytes + ") + " + SET_OVERHEAD_BYTES);
    }
    if (walSegmentBytes < (long) maxValueBytes + maxKeyBytes + 4096) {
      throw new IllegalArgumentException(
          "walSegmentBytes (" + walSegmentBytes + ") must exceed maxValueBytes + maxKeyBytes + 4096");
    }
    return new LocalStoreConfig(
        dataDirectory, inMemory ? EngineType.MEMORY : engine, durability, nodeId, conflictPolicy,
        conflictResolver, maxKeyBytes, maxValueBytes, tombstoneGrace, clock, walSegmentBytes,
        checkpointBytes, contextScope, random != null ? random : new java.security.SecureRandom(),
        maxPendingWrites, valueCacheBytes, maxSetBytes);
  }

  /**
   * Opens the store: takes the directory lock, recovers from the log, starts the log writer.
   *
   * @throws IllegalArgumentException if the options do not fit together
   * @throws StoreLockedException if the directory is open elsewhere
   * @throws CorruptLogException if the log is damaged before its tail
   * @throws StorageException if the files cannot be read or written
   */
  public KvStore open() {
    return LocalStore.open(config());
  }
}
