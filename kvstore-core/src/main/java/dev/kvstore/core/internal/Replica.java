package dev.kvstore.core.internal;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiPredicate;

/**
 * The replica side of a local store, used by the cluster (kvstore-net): coordinate a write here, merge a
 * remote sibling set, read and scan raw sibling sets (tombstones included), listen to changes. Not API.
 * Thread-safe.
 *
 * <p>Threads: the {@code ...Cached} methods never block, so a network event loop may call them; they answer
 * null when the key's set is not in memory, having done nothing, and the caller repeats the operation with the
 * plain method on a thread that may read the disk. Methods that take a {@code completer} complete their
 * futures there, one task per log group and executor (an event loop gets its share of a group back in one
 * wake-up); without one, on the log's thread.
 */
public interface Replica {
  /**
   * The actor id this replica issues dots under: node id, a dot, the data directory's incarnation. It changes
   * while the replica runs only when {@link #checkOwnCounters} finds the directory was restored from an older
   * copy.
   */
  String actorId();

  /**
   * The highest counter this replica holds, over all keys, for each actor (incarnation) of node {@code
   * nodeId}, by actor id: what a node is told about its own actors by its peers (at the handshake; later also
   * with hints and anti-entropy exchanges), so that it notices when it runs from a restored older copy of its
   * directory. Empty for a node none of whose versions are held here.
   */
  java.util.Map<String, Long> highestCountersOf(String nodeId);

  /**
   * Checks what {@code source} (a peer) holds of this node's own actors, as {@link #highestCountersOf} answered
   * there. If the peer holds a counter of the current actor above the highest this replica has issued, or an
   * incarnation of this node numbered at or above the current one, this replica runs from an older copy of its
   * directory (a backup was restored): it takes a new incarnation, numbered above every one reported, before it
   * issues another dot, and logs once what it found. Otherwise does nothing. Safe to call from any thread; the
   * rare renewal forces the identity file.
   *
   * @return true if a new incarnation was taken
   */
  boolean checkOwnCounters(String source, java.util.Map<String, Long> reported);

  /** The scope of the contexts this replica hands out. */
  String contextScope();

  /**
   * Coordinates a write at this replica: a new version with a fresh dot of this actor, superseding what
   * {@code context} saw (everything held here when {@code context} is null). {@code value} null writes a
   * tombstone. Completes with the key's whole set after the write, once durable and readable.
   *
   * <p>The read-modify-write runs on the calling thread (it may read the engine from disk, so not on a network
   * event loop: those use {@link #tryCoordinateCached}) and takes microseconds: no thread waits for a force. The future completes on the log's thread,
   * so callbacks chained to it must not block. Failures (bad input, a closed store, a failed log) come as
   * a failed future, never as a throw.
   */
  CompletableFuture<DvvSet<StoredValue>> coordinate(byte[] key, byte[] value, Context context);

  /**
   * {@link #coordinate}, returning the new set as soon as it is in the log, before it is durable: a
   * coordinator sends it to the other replicas while its own log forces it. The store reopens as a new
   * incarnation after any stop that may have lost such a write, so its dot is never reissued.
   *
   * @throws dev.kvstore.core.KvStoreException for bad input, a closed store, or a log that failed or refused the
   *     append (then nothing was minted that may leave the node; after any log failure the store takes no more
   *     writes until it is reopened)
   */
  Logged coordinateLogged(byte[] key, byte[] value, Context context);

  /**
   * {@link #coordinateLogged(byte[], byte[], Context)}, the durability future completing on {@code
   * completer}.
   */
  default Logged coordinateLogged(byte[] key, byte[] value, Context context, Executor completer) {
    return coordinateLogged(key, value, context, null, completer);
  }

  /**
   * {@link #coordinateLogged(byte[], byte[], Context, Executor)} for the client operation {@code op} (null:
   * none): the new version carries {@code op}, and when a sibling of the key already carries it, nothing is
   * minted or logged and the key's set as it is answers (a retry of a write that was applied).
   */
  Logged coordinateLogged(byte[] key, byte[] value, Context context, OperationId op, Executor completer);

  /**
   * {@link #coordinateLogged(byte[], byte[], Context, Executor)} if the key's set is in memory, without
   * blocking; null (nothing done) if reading it would go to disk.
   */
  default Logged tryCoordinateCached(byte[] key, byte[] value, Context context, Executor completer) {
    return tryCoordinateCached(key, value, context, null, completer);
  }

  /**
   * {@link #coordinateLogged(byte[], byte[], Context, OperationId, Executor)} if the key's set is in memory,
   * without blocking; null (nothing done) if reading it would go to disk.
   */
  Logged tryCoordinateCached(byte[] key, byte[] value, Context context, OperationId op, Executor completer);

  /**
   * Why this replica takes no writes, or null when it does: a replica whose write-ahead log failed (an I/O error,
   * a full disk) refuses every write until it is reopened, and still serves reads. A coordinator answers writes
   * with UNAVAILABLE while this is non-null; a failure detector may treat the node as down for writes.
   */
  String writeRefusal();

  /**
   * A write that is in the log: the key's whole set after it, its encoding, and the future of its durability
   * (completing on the log's thread, or the completer, with the same set).
   *
   * @param set the key's set after the write
   * @param encoded {@link SiblingCodec#encode} of {@code set}, the bytes that were logged (share, do not
   *     modify); null when the write changed nothing and logged nothing
   * @param durable completes once the write is durable and readable
   */
  record Logged(DvvSet<StoredValue> set, byte[] encoded, CompletableFuture<DvvSet<StoredValue>> durable) {}

  /**
   * Merges {@code remote} into the key's set by DVV sync; completes with the merged set once durable. Runs
   * and completes on the same threads as {@link #coordinate}.
   */
  CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote);

  /** {@link #merge(byte[], DvvSet)}, completing on {@code completer}. */
  CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote, Executor completer);

  /**
   * {@link #merge(byte[], DvvSet, Executor)} if the key's set is in memory, without blocking; null (nothing
   * done) if reading it would go to disk.
   */
  CompletableFuture<DvvSet<StoredValue>> tryMergeCached(byte[] key, DvvSet<StoredValue> remote, Executor completer);

  /** {@link #coordinate} on the calling thread, which blocks until the write is durable. */
  DvvSet<StoredValue> coordinateNow(byte[] key, byte[] value, Context context);

  /** {@link #merge} on the calling thread, which blocks until the merge is durable. */
  DvvSet<StoredValue> mergeNow(byte[] key, DvvSet<StoredValue> remote);

  /** The argument checks of this replica's store (key and value limits, context scope). */
  RequestChecks checks();

  /** The key's raw sibling set, tombstones included; empty when unknown. May read the disk. */
  DvvSet<StoredValue> read(byte[] key);

  /** {@link #read} from memory only, never blocking: null when the answer would need a disk read. */
  DvvSet<StoredValue> readCached(byte[] key);

  /** What {@link #readEncodedCached} returns when the answer would need a disk read (compare by identity). */
  byte[] NOT_IN_MEMORY = dev.kvstore.core.internal.engine.Engine.NOT_CACHED;

  /**
   * The key's set as stored ({@link SiblingCodec} bytes, shared: do not modify), from memory only: null for an
   * unknown key, {@link #NOT_IN_MEMORY} when the answer would need a disk read. Lets a replica answer a read
   * with the stored bytes, without decoding and encoding the set again.
   */
  byte[] readEncodedCached(byte[] key);

  /** Visits keys in {@code [from, to)} (null = unbounded) in unsigned byte order with their sets, until false. */
  void scan(byte[] fromInclusive, byte[] toExclusive, BiPredicate<byte[], DvvSet<StoredValue>> visitor);

  /**
   * {@link #scan} with each set as stored ({@link SiblingCodec} bytes: do not modify). This default encodes the
   * decoded sets again; a store over an engine passes the engine's bytes.
   */
  default void scanEncoded(byte[] fromInclusive, byte[] toExclusive, BiPredicate<byte[], byte[]> visitor) {
    scan(fromInclusive, toExclusive, (k, set) -> visitor.test(k, SiblingCodec.encode(set)));
  }

  /** Adds a listener called after each durable change. */
  void addChangeListener(ChangeListener listener);
}
