package dev.kvstore.core.internal;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.HybridLogicalClock;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.ConflictPolicy;
import dev.kvstore.core.Context;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.core.NotWritableException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.engine.Engine;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local store: versioned sibling sets per key over a commit log and an engine.
 *
 * <p>A write locks its key's stripe, reads the key's {@link DvvSet}, computes the next set (a coordinator
 * update or a replica merge), applies the conflict policy, appends "key holds this set" to the log and
 * unlocks: the stripe is held for microseconds, never across a {@code force()}. Until the log has made the
 * write durable and applied it to the engine, the set waits in an in-flight table, and the next write of
 * the key builds on it (so writes of one key queue in the log in lock order, and a group commit can hold
 * several of them). A write's future completes once it is durable and applied. Reads go to the engine
 * without locks and see only durable, applied sets. Lock order: the close lock (read side) before a key
 * stripe.
 *
 * <p>Dots: the store numbers the dots of its actor across all keys (one counter, {@code issued}), and keeps the
 * highest counter it holds of every actor ({@link ActorCounters}, rebuilt from the engine at open). Peers'
 * answers about this node's actors go to {@link #checkOwnCounters}, which takes a new incarnation when they
 * show the directory is an older copy; {@link #holdMinting} keeps coordinated writes out until they answered
 * (docs/storage.md, "Restore detection").
 *
 * <p>Thread-safe. Not API: open it through {@link KvStore#local()}; the cluster uses it as a {@link
 * Replica}.
 */
public final class LocalStore implements KvStore, Replica {
  private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
  private static final Comparator<Versioned<StoredValue>> LWW_ORDER =
      Comparator.<Versioned<StoredValue>, HlcTimestamp>comparing(v -> v.value().time())
          .thenComparing(v -> v.dot().node());

  // Threads that run getAsync and complete the async API's futures (user callbacks run there, never on the
  // log's threads). No thread of the store waits for a force(), so a few suffice.
  private static final int EXECUTOR_THREADS = 8;

  /** How a write may reach the key's set: from memory without waiting (an event loop), or any way. */
  private enum Access { MEMORY_ONLY, MAY_BLOCK }

  /** A write appended to the log and not yet durable: the set it writes and the log's future. */
  private record InFlight(DvvSet<StoredValue> set, byte[] encoded, CompletableFuture<Long> durable) {}

  /**
   * The actor this store issues dots under and the highest counter it issued, over all keys. Replaced as a
   * whole when the store takes a new incarnation, so a dot never pairs one actor's id with another's counter.
   */
  private record Actor(String id, Incarnation incarnation, AtomicLong issued) {}

  private final LocalStoreConfig config;
  private final StoreParts parts;
  private volatile Actor actor; // replaced (under renewLock) only when restore detection renews the incarnation
  private final Object renewLock = new Object();
  private final ActorCounters counters = new ActorCounters();
  // While set, coordinated writes are refused (nothing minted): a node holds minting at start until its peers
  // told it what they hold of its own actors (restore detection, docs/storage.md).
  private volatile String mintingHeld;
  private final String scope;
  private final RequestChecks checks;
  private final HybridLogicalClock hlc;
  private final KeyLocks locks = new KeyLocks(1024);
  // The newest set of each key whose write is in the log but not yet durable and applied (keyed by the key's
  // bytes; an entry is removed by its own write's completion, and only if no later write replaced it).
  private final ConcurrentHashMap<ByteBuffer, InFlight> inFlight = new ConcurrentHashMap<>();
  // Set (before its in-flight entry goes) by the first write the log failed: from then on no write is taken,
  // since the engine may lack versions this actor already handed out, and minting on top of it could reissue
  // their dots. The store must be reopened (as a new incarnation: the directory is not marked clean).
  private volatile StorageException logFailure;
  // Read-held by every operation, write-held by close: close waits for operations in flight. A StampedLock
  // (one CAS, no per-thread hold counts) because a ReentrantReadWriteLock's bookkeeping showed in profiles.
  private final StampedLock closeLock = new StampedLock();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final List<WriteListener> writeListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;
  private final ScheduledExecutorService purger;
  private volatile boolean closed; // written under closeLock's write side

  private LocalStore(LocalStoreConfig config, StoreParts parts) {
    this.config = config;
    this.parts = parts;
    this.actor = new Actor(parts.incarnation().actorOf(config.nodeId()), parts.incarnation(), new AtomicLong());
    this.scope = config.contextScope() != null ? config.contextScope() : parts.storeId();
    this.checks = new RequestChecks(config.maxKeyBytes(), config.maxValueBytes(), scope);
    this.hlc = new HybridLogicalClock(config.clock());
    this.executor = Executors.newFixedThreadPool(EXECUTOR_THREADS, Threads.daemons("kvstore-" + config.nodeId()));
    this.purger = Executors.newSingleThreadScheduledExecutor(r -> Threads.daemon(r, "kvstore-" + config.nodeId() + "-purge"));
    long every = Math.max(1000, Math.min(600_000, config.tombstoneGrace().toMillis() / 2));
    purger.scheduleWithFixedDelay(this::purgeQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens a store with these options.
   *
   * @throws dev.kvstore.core.StoreLockedException if the directory is in use
   * @throws dev.kvstore.core.CorruptLogException if the log is damaged before its tail
   * @throws StorageException if files cannot be read or written
   */
  public static LocalStore open(LocalStoreConfig config) {
    return open(config, StoreParts.open(config));
  }

  /**
   * Opens a store for deterministic simulation, on a log the caller chose (typically {@link
   * dev.kvstore.core.internal.wal.WalOptions#callerDriven caller-driven} on a {@link
   * dev.kvstore.core.internal.wal.SimulatedDisk}): the memory engine is rebuilt at every open by replaying the whole
   * log, which is never checkpointed, so the log's segments hold everything the store keeps. Each open is a new
   * incarnation (drawn from {@code config.random()}), as a data directory gets after an unclean stop; the
   * simulation stops stores only by crashing them. The config's durability is not used: the log's is.
   *
   * @throws IllegalArgumentException if the config names a data directory (the log's directory is the store's)
   * @throws dev.kvstore.core.CorruptLogException if the log is damaged before its tail
   * @throws StorageException if the log cannot be read or written
   */
  public static LocalStore openSimulated(LocalStoreConfig config, dev.kvstore.core.internal.wal.WalOptions log) {
    if (config.dataDirectory() != null) {
      throw new IllegalArgumentException("a simulated store keeps its data in the log only; build its config with "
          + "inMemory(), got data directory " + config.dataDirectory());
    }
    return open(config, StoreParts.openOnLog(config, log));
  }

  /** Opens a store over parts assembled by the caller (tests inject engines and logs that fail). */
  static LocalStore open(LocalStoreConfig config, StoreParts parts) {
    LocalStore store = new LocalStore(config, parts);
    try {
      store.rebuildCounters();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    log.info("opened store {} as actor {} ({}, {} engine, durability {})",
        config.dataDirectory() == null ? "in memory" : config.dataDirectory(), store.actorId(),
        store.parts.commitLog().describe(), config.engine(), config.durability());
    return store;
  }

  // ---- KvStore ----

  @Override
  public Versions get(byte[] key) {
    checks.key(key);
    return guarded(() -> toVersions(key, read(key)));
  }

  @Override
  public Context put(byte[] key, byte[] value, Context context) {
    checks.key(key);
    checks.value(value);
    checks.context(context);
    return contextOf(coordinateNow(key.clone(), value.clone(), context));
  }

  @Override
  public Context put(byte[] key, byte[] value) {
    checks.key(key);
    checks.value(value);
    return contextOf(coordinateNow(key.clone(), value.clone(), null));
  }

  @Override
  public Context delete(byte[] key, Context context) {
    checks.key(key);
    checks.context(context);
    return contextOf(coordinateNow(key.clone(), null, context));
  }

  /**
   * {@inheritDoc} A key whose set is in memory is read on the calling thread (the future is complete when
   * returned); otherwise the read runs on the store's executor.
   */
  @Override
  public CompletableFuture<Versions> getAsync(byte[] key) {
    checks.key(key);
    DvvSet<StoredValue> cached = guarded(() -> readCached(key));
    if (cached != null) {
      return CompletableFuture.completedFuture(toVersions(key, cached));
    }
    return async(() -> get(key));
  }

  /** {@inheritDoc} The future completes on the store's executor, one task per log group. */
  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context) {
    checks.key(key);
    checks.value(value);
    checks.context(context);
    checkOpen();
    return coordinate(key.clone(), value.clone(), context, executor).thenApply(this::contextOf);
  }

  /** {@inheritDoc} The future completes on the store's executor, one task per log group. */
  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value) {
    checks.key(key);
    checks.value(value);
    checkOpen();
    return coordinate(key.clone(), value.clone(), null, executor).thenApply(this::contextOf);
  }

  /** {@inheritDoc} The future completes on the store's executor, one task per log group. */
  @Override
  public CompletableFuture<Context> deleteAsync(byte[] key, Context context) {
    checks.key(key);
    checks.context(context);
    checkOpen();
    return coordinate(key.clone(), null, context, executor).thenApply(this::contextOf);
  }

  // ---- Replica ----

  @Override
  public String actorId() {
    return actor.id();
  }

  /** The highest counter this store issued under its current actor, over all keys. */
  public long issuedCounter() {
    return actor.issued().get();
  }

  @Override
  public java.util.Map<String, Long> highestCountersOf(String nodeId) {
    return counters.ofNode(nodeId);
  }

  @Override
  public boolean checkOwnCounters(String source, java.util.Map<String, Long> reported) {
    synchronized (renewLock) {
      Actor a = actor;
      long issued = a.issued().get();
      long highestSeq = a.incarnation().seq();
      String found = null;
      for (java.util.Map.Entry<String, Long> e : reported.entrySet()) {
        Incarnation other = Incarnation.ofActor(e.getKey(), config.nodeId());
        if (other == null) {
          continue;
        }
        highestSeq = Math.max(highestSeq, other.seq());
        if (e.getKey().equals(a.id()) && e.getValue() > issued) {
          found = "it holds counter " + e.getValue() + " of this actor " + a.id() + ", which issued only up to "
              + issued;
        } else if (!e.getKey().equals(a.id()) && a.incarnation().seq() > 0 && other.seq() >= a.incarnation().seq()) {
          found = "it holds incarnation " + e.getKey() + ", numbered at or above this one (" + a.id() + ")";
        }
      }
      if (found == null) {
        return false;
      }
      Incarnation next = parts.directory() != null
          ? parts.directory().renewIncarnation(highestSeq, config.random())
          : a.incarnation().next(highestSeq, config.random());
      actor = new Actor(next.actorOf(config.nodeId()), next, new AtomicLong());
      log.warn("restore detected: {} says {}; this data directory is an older copy (a restored backup?). New "
          + "incarnation {} so no counter it already issued is reused", source, found, actor.id());
      return true;
    }
  }

  /**
   * Refuses coordinated writes (with {@link dev.kvstore.core.OverloadedException}, nothing minted) until {@link
   * #releaseMinting()}: a node holds minting at start until its peers told it what they hold of its actors.
   *
   * @param why said in the refusal
   */
  public void holdMinting(String why) {
    mintingHeld = java.util.Objects.requireNonNull(why, "why");
  }

  /** Lets coordinated writes mint dots again (see {@link #holdMinting}). */
  public void releaseMinting() {
    mintingHeld = null;
  }

  /** Builds the highest counter of every actor from the engine; the current actor goes on from its own. */
  private void rebuildCounters() {
    scanRecords(null, null, (k, set) -> { // the counter floor included
      counters.observe(set.context());
      return true;
    });
    Actor a = actor;
    a.issued().set(counters.highest(a.id()));
    log.debug("store {}: {} actors in the stored clocks, this one issued up to {}", a.id(), counters.size(),
        a.issued().get());
  }

  @Override
  public String contextScope() {
    return scope;
  }

  /** The argument checks this store applies (limits and context scope). */
  public RequestChecks checks() {
    return checks;
  }

  /**
   * {@inheritDoc} The read-modify-write runs on the calling thread; the future completes on the log's
   * writer or applier thread, so callbacks chained to it must not block.
   */
  @Override
  public CompletableFuture<DvvSet<StoredValue>> coordinate(byte[] key, byte[] value, Context context) {
    return coordinate(key, value, context, null);
  }

  private CompletableFuture<DvvSet<StoredValue>> coordinate(byte[] key, byte[] value, Context context,
      Executor completer) {
    try {
      return coordinateLogged(key, value, context, completer).durable();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@inheritDoc} The read-modify-write runs on the calling thread; the future completes on the log's
   * writer or applier thread, so callbacks chained to it must not block.
   */
  @Override
  public Logged coordinateLogged(byte[] key, byte[] value, Context context) {
    return coordinateLogged(key, value, context, null);
  }

  @Override
  public Logged coordinateLogged(byte[] key, byte[] value, Context context, OperationId op, Executor completer) {
    return write(key, Access.MAY_BLOCK, coordination(value, context, op), completer);
  }

  @Override
  public Logged tryCoordinateCached(byte[] key, byte[] value, Context context, OperationId op,
      Executor completer) {
    return write(key, Access.MEMORY_ONLY, coordination(value, context, op), completer);
  }

  /**
   * The change a coordinated write makes: a new version with a fresh dot, superseding what the context saw;
   * nothing when a sibling of the key already carries {@code op} (the write was applied by an earlier attempt,
   * and the set as it is answers it).
   */
  private UnaryOperator<DvvSet<StoredValue>> coordination(byte[] value, Context context, OperationId op) {
    return current -> {
      if (op != null && holds(current, op)) {
        log.debug("operation {} is already applied (a retry); no new version", op);
        return current;
      }
      for (Versioned<StoredValue> s : current.siblings()) {
        hlc.update(s.value().time()); // never stamp a new version before one it may supersede
      }
      String held = mintingHeld;
      if (held != null) {
        throw new dev.kvstore.core.OverloadedException("node " + config.nodeId() + " issues no new version yet: "
            + held + "; retry shortly");
      }
      HlcTimestamp time = hlc.now();
      StoredValue stored = StoredValue.written(value, time, op);
      VectorClock seen = context == null ? current.context() : context.clock();
      // One counter per actor across all keys, so the highest counter a peer holds of this actor says exactly
      // whether this store remembers everything it issued (restore detection, docs/storage.md).
      Actor a = actor;
      long floor = Math.max(current.context().get(a.id()), seen.get(a.id()));
      long counter = a.issued().updateAndGet(issued -> Math.max(issued, floor) + 1);
      return current.update(seen, stored, Dot.of(a.id(), counter));
    };
  }

  /** Whether a live sibling of {@code set} was written by operation {@code op}. */
  private static boolean holds(DvvSet<StoredValue> set, OperationId op) {
    for (Versioned<StoredValue> s : set.siblings()) {
      if (op.equals(s.value().op())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String writeRefusal() {
    StorageException failed = logFailure;
    return failed == null ? null : "the write-ahead log failed: " + failed.getMessage();
  }

  /**
   * {@inheritDoc} The merge runs on the calling thread; the future completes on the log's writer or applier thread,
   * so callbacks chained to it must not block.
   */
  @Override
  public CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote) {
    return merge(key, remote, null);
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote, Executor completer) {
    observe(remote);
    try {
      return write(key, Access.MAY_BLOCK, current -> DvvSet.sync(current, remote), completer).durable();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> tryMergeCached(byte[] key, DvvSet<StoredValue> remote,
      Executor completer) {
    observe(remote);
    try {
      Logged logged = write(key, Access.MEMORY_ONLY, current -> DvvSet.sync(current, remote), completer);
      return logged == null ? null : logged.durable();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void observe(DvvSet<StoredValue> remote) {
    for (Versioned<StoredValue> s : remote.siblings()) {
      hlc.update(s.value().time());
    }
    Actor a = actor;
    long theirs = remote.context().get(a.id());
    if (theirs > a.issued().get()) { // a replicated set knows more of this actor than the actor itself
      checkOwnCounters("a replicated set", java.util.Map.of(a.id(), theirs));
    }
  }

  /**
   * Removes the record of {@code key} if its set is still {@code expected}, durably as the store's writes:
   * for a store of hints, whose delivered entries go (a client key keeps its record and causal context; see
   * {@link #purgeTombstones}). The change runs on the calling thread, which may read the disk; the result
   * completes on {@code completer} (null: the log's thread).
   *
   * @return completes with true if the record was removed, false if the set had changed (or was gone)
   */
  public CompletableFuture<Boolean> removeIfUnchanged(byte[] key, DvvSet<StoredValue> expected, Executor completer) {
    boolean[] removed = {false};
    try {
      return write(key, Access.MAY_BLOCK, current -> {
        removed[0] = current.equals(expected) && !current.equals(DvvSet.empty());
        return removed[0] ? null : current;
      }, completer).durable().thenApply(set -> removed[0]);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@link #coordinate} on the calling thread, waiting until the write is durable. The caller writes its log group
   * itself when the log is idle (no hand-off to the writer thread and back), else waits for the writer.
   */
  @Override
  public DvvSet<StoredValue> coordinateNow(byte[] key, byte[] value, Context context) {
    BlockingGuard.checkMayBlock("a write that waits for its force");
    CompletableFuture<DvvSet<StoredValue>> durable;
    try {
      durable = coordinate(key, value, context, dev.kvstore.core.internal.wal.WriteAheadLog.CALLER_WRITES);
    } finally {
      parts.commitLog().writeOnCaller(); // always: an append this thread made quietly must not wait for another's
    }
    return Futures.joinUninterruptibly(durable);
  }

  /** {@link #merge} on the calling thread, waiting until the merge is durable. */
  @Override
  public DvvSet<StoredValue> mergeNow(byte[] key, DvvSet<StoredValue> remote) {
    return Futures.joinUninterruptibly(merge(key, remote));
  }

  @Override
  public DvvSet<StoredValue> read(byte[] key) {
    return decode(key, parts.engine().get(key));
  }

  @Override
  public DvvSet<StoredValue> readCached(byte[] key) {
    byte[] bytes = parts.engine().getCached(key);
    return bytes == Engine.NOT_CACHED ? null : decode(key, bytes);
  }

  @Override
  public byte[] readEncodedCached(byte[] key) {
    return parts.engine().getCached(key);
  }

  private static DvvSet<StoredValue> decode(byte[] key, byte[] bytes) {
    if (bytes == null) {
      return DvvSet.empty();
    }
    try {
      return SiblingCodec.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new StorageException("the stored sibling set of key " + java.util.HexFormat.of().formatHex(key)
          + " is unreadable (" + e.getMessage() + "); the engine's files are damaged", e);
    }
  }

  /** {@inheritDoc} The counter floor record ({@link DeadKeys}) is not a key and is not visited. */
  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, BiPredicate<byte[], DvvSet<StoredValue>> visitor) {
    scanRecords(fromInclusive, toExclusive, (k, set) -> k.length == 0 || visitor.test(k, set));
  }

  private void scanRecords(byte[] fromInclusive, byte[] toExclusive,
      BiPredicate<byte[], DvvSet<StoredValue>> visitor) {
    guarded(() -> {
      parts.engine().scan(fromInclusive, toExclusive, (k, v) -> visitor.test(k, SiblingCodec.decode(v)));
      return null;
    });
  }

  @Override
  public void addChangeListener(ChangeListener listener) {
    listeners.add(listener);
  }

  /** Adds a listener told of every change of a key under the key's lock, in the key's write order. */
  public void addWriteListener(WriteListener listener) {
    writeListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /** {@inheritDoc} The sets are the engine's bytes, not decoded; the counter floor record is not visited. */
  @Override
  public void scanEncoded(byte[] fromInclusive, byte[] toExclusive, BiPredicate<byte[], byte[]> visitor) {
    guarded(() -> {
      parts.engine().scan(fromInclusive, toExclusive, (k, v) -> k.length == 0 || visitor.test(k, v));
      return null;
    });
  }

  // ---- tombstones ----

  /**
   * The key of the counter floor record ({@link DeadKeys}): a set with no siblings whose context keeps the counters
   * of removed keys, so they are never issued again. A client key is never empty; scans and listeners skip it.
   */
  static final byte[] COUNTER_FLOOR_KEY = new byte[0];

  /**
   * Drops tombstones older than the grace period, keeping each key's record and causal context, so a replica that
   * still holds a deleted version loses it on the next sync. Runs periodically: a store that is its own only
   * replica needs nothing more; in a cluster it is the bound for replicas that never answer, and the records
   * themselves go by {@link DeadKeys} (docs/replication.md, "Tombstones"). Public for tests and operators.
   *
   * @return how many keys changed
   */
  public int purgeTombstones() {
    return Futures.joinUninterruptibly(purgeTombstones(null));
  }

  /**
   * {@link #purgeTombstones()} without waiting: the scan and the appends run on the calling thread, the result
   * completes on {@code completer} (null: the log's thread) once every change is durable.
   */
  public CompletableFuture<Integer> purgeTombstones(Executor completer) {
    long cutoff = config.clock().millis() - config.tombstoneGrace().toMillis();
    List<byte[]> candidates = new java.util.ArrayList<>();
    scan(null, null, (k, set) -> {
      if (set.siblings().stream().anyMatch(s -> expired(s, cutoff))) {
        candidates.add(k);
      }
      return true;
    });
    List<CompletableFuture<Boolean>> changes = new java.util.ArrayList<>();
    try {
      for (byte[] key : candidates) {
        changes.add(purgeKey(key, cutoff, completer));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new)).thenApply(v -> {
      int changed = (int) changes.stream().filter(CompletableFuture::join).count();
      if (changed > 0) {
        log.info("purged expired tombstones from {} keys", changed);
      }
      return changed;
    });
  }

  private CompletableFuture<Boolean> purgeKey(byte[] key, long cutoff, Executor completer) {
    boolean[] changed = {false};
    // The key's record stays, with its causal context: dropping it would restart the key's counters, and
    // a client still holding an old context would then cover (and silently drop) new versions.
    return write(key, Access.MAY_BLOCK, current -> {
      DvvSet<StoredValue> next = current.retain(s -> !expired(s, cutoff));
      changed[0] = !next.equals(current);
      return next;
    }, completer).durable().thenApply(set -> changed[0]);
  }

  private static boolean expired(Versioned<StoredValue> s, long cutoff) {
    return s.value().isTombstone() && s.value().time().physicalMillis() < cutoff;
  }

  private void purgeQuietly() {
    try {
      if (!closed) {
        purgeTombstones();
      }
    } catch (RuntimeException e) {
      log.warn("tombstone purge failed; it runs again later", e);
    }
  }

  // ---- the write path ----

  /**
   * The write path: under the key's stripe, computes the next set from the newest one (in flight, or read
   * as {@code access} allows), appends it to the log and records it as in flight; completes on {@code
   * completer} (null: the log's thread) once it is durable and applied. A change that leaves the set as it is
   * appends nothing, but still waits for the write it built on, so no caller hears of a set before it is
   * durable. With {@link Access#MEMORY_ONLY}, returns null, having done nothing, when the set is not in memory
   * or another thread holds the key's stripe (it may be reading the disk).
   */
  private Logged write(byte[] key, Access access, UnaryOperator<DvvSet<StoredValue>> change, Executor completer) {
    long stamp = closeLock.readLock();
    try {
      return writeLocked(key, access, change, completer);
    } finally {
      closeLock.unlockRead(stamp);
    }
  }

  private Logged writeLocked(byte[] key, Access access, UnaryOperator<DvvSet<StoredValue>> change,
      Executor completer) {
    checkOpen();
    ByteBuffer ref = ByteBuffer.wrap(key);
    ReentrantLock lock = locks.forKey(key);
    if (access == Access.MEMORY_ONLY) {
      if (!lock.tryLock()) {
        return null; // the stripe's holder may be reading a disk: not a wait for an event loop
      }
    } else {
      lock.lock();
    }
    try {
      InFlight prior = inFlight.get(ref);
      StorageException failed = logFailure;
      if (failed != null) {
        throw new NotWritableException("store " + actorId() + " takes no writes since its log failed ("
            + failed.getMessage() + "); reads still work; reopen it to write again", failed);
      }
      byte[] before = prior != null ? prior.encoded()
          : access == Access.MEMORY_ONLY ? parts.engine().getCached(key) : parts.engine().get(key);
      if (before == Engine.NOT_CACHED) {
        return null;
      }
      DvvSet<StoredValue> current = prior != null ? prior.set() : decode(key, before);
      DvvSet<StoredValue> changed = change.apply(current);
      boolean remove = changed == null; // removeIfUnchanged: the record goes
      DvvSet<StoredValue> next = remove ? DvvSet.empty() : applyPolicy(changed);
      if (!remove) {
        counters.observe(next.context());
      }
      if (!remove && next.equals(current)) {
        return new Logged(current, null, prior == null
            ? CompletableFuture.completedFuture(current)
            : completeOn(prior.durable().thenApply(seq -> current), completer));
      }
      byte[] encoded = remove ? null : SiblingCodec.encode(next);
      if (encoded != null && encoded.length > config.maxSetBytes()) {
        throw new InvalidRequestException(InvalidRequestException.Reason.SET_TOO_LARGE,
            "key would hold " + next.size() + " siblings in " + encoded.length + " bytes, over the "
                + config.maxSetBytes() + "-byte limit of one key's set (maxSetBytes); read it and write the "
                + "resolution with its context");
      }
      CompletableFuture<Long> durable = parts.commitLog().commit(key, encoded, completer);
      if (durable.isCompletedExceptionally()) {
        RuntimeException cause = Futures.unwrap(durable.handle((seq, failure) -> failure).join());
        if (cause instanceof StorageException storage) {
          logFailure = storage;
        }
        throw cause; // refused at once: nothing of it may leave this node
      }
      InFlight mine = new InFlight(next, encoded, durable);
      inFlight.put(ref, mine);
      notifyWriteListeners(key, before, encoded);
      return new Logged(next, encoded, durable.handle((seq, failure) -> {
        if (failure != null) {
          RuntimeException cause = Futures.unwrap(failure);
          if (cause instanceof StorageException storage && logFailure == null) {
            logFailure = storage;
          }
          inFlight.remove(ref, mine);
          throw new CompletionException(cause);
        }
        inFlight.remove(ref, mine);
        notifyListeners(key, next);
        return next;
      }));
    } finally {
      lock.unlock();
    }
  }

  private static <T> CompletableFuture<T> completeOn(CompletableFuture<T> f, Executor completer) {
    return completer == null ? f : Futures.completeOn(f, completer);
  }

  private void notifyListeners(byte[] key, DvvSet<StoredValue> set) {
    if (key.length == 0) {
      return; // the counter floor, not a key
    }
    for (ChangeListener l : listeners) {
      try {
        l.onChange(key, set);
      } catch (RuntimeException e) {
        log.warn("change listener {} failed; the write itself is durable", l, e);
      }
    }
  }

  private void notifyWriteListeners(byte[] key, byte[] before, byte[] after) {
    if (key.length == 0) {
      return; // the counter floor, not a key: no tree may hold it
    }
    for (WriteListener l : writeListeners) {
      try {
        l.onWrite(key, before, after);
      } catch (RuntimeException e) {
        log.warn("write listener {} failed; the write itself goes on", l, e);
      }
    }
  }

  private DvvSet<StoredValue> applyPolicy(DvvSet<StoredValue> merged) {
    DvvSet<StoredValue> set = RetryDuplicates.drop(merged);
    if (config.conflictPolicy() != ConflictPolicy.LAST_WRITE_WINS || set.size() <= 1) {
      return set;
    }
    Versioned<StoredValue> winner = set.siblings().stream().max(LWW_ORDER).orElseThrow();
    return set.retain(s -> s.equals(winner));
  }

  private Versions toVersions(byte[] key, DvvSet<StoredValue> set) {
    return VersionsView.of(key, set, Context.of(scope, set.context()), config.conflictResolver());
  }

  private Context contextOf(DvvSet<StoredValue> set) {
    return Context.of(scope, set.context());
  }

  // ---- lifecycle ----

  private <T> T guarded(Supplier<T> op) {
    long stamp = closeLock.readLock();
    try {
      checkOpen();
      return op.get();
    } finally {
      closeLock.unlockRead(stamp);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("store " + actorId() + " is closed; open it again to use it");
    }
  }

  private <T> CompletableFuture<T> async(Supplier<T> op) {
    try {
      return CompletableFuture.supplyAsync(op, executor);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new StoreClosedException("store " + actorId() + " is closed"));
    }
  }

  /**
   * The store's current incarnation (the suffix of {@link #actorId()}): the data directory's, or a newer one
   * taken when restore detection found the directory older than its peers' copies.
   */
  public String incarnation() {
    String actor = actorId();
    return actor.substring(actor.indexOf('.') + 1); // node ids hold no '.'
  }

  /** The engine's approximate number of keys (tombstones included), for status. */
  public long approximateKeys() {
    return parts.engine().approximateKeys();
  }

  /** The log's counters since the store opened, for status. */
  public dev.kvstore.core.internal.wal.WalStats logStats() {
    return parts.commitLog().stats();
  }

  /** Log and engine statistics, for tests and the bench command. */
  public String describe() {
    return parts.commitLog().describe();
  }

  @Override
  public void close() {
    long stamp = closeLock.writeLock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      closeLock.unlockWrite(stamp);
    }
    purger.shutdownNow();
    try {
      // The log first: it completes the writes in flight, whose async results the executor still hands on.
      parts.close();
      log.info("closed store {} ({})", actorId(), parts.commitLog().describe());
    } finally {
      Threads.shutdownAndAwait(executor, java.time.Duration.ofMinutes(1), "store " + actorId() + " callbacks");
    }
  }
}
