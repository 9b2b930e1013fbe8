package dev.kvstore.net.internal.replica;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.NotWritableException;
import dev.kvstore.core.StorageException;
import dev.kvstore.core.internal.ChangeListener;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.OperationId;
import dev.kvstore.core.internal.Replica;
import dev.kvstore.core.internal.RequestChecks;
import dev.kvstore.core.internal.StoredValue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiPredicate;

/**
 * A test replica over a real {@link LocalStore} whose writes can be switched off, as a store's are once its
 * write-ahead log failed ({@code LogFailureTest} checks that a store does this itself): every write and merge
 * then fails with {@link NotWritableException} and {@link #writeRefusal()} says why; reads go on.
 */
final class RefusingReplica implements Replica {
  private final LocalStore store;
  private volatile String refusal;

  RefusingReplica(LocalStore store) {
    this.store = store;
  }

  /** From now on, refuses writes for {@code reason}. */
  void failLog(String reason) {
    refusal = "the write-ahead log failed: " + reason;
  }

  private NotWritableException refused() {
    return new NotWritableException("store " + store.actorId() + " takes no writes (" + refusal + ")",
        new StorageException(refusal));
  }

  @Override
  public String writeRefusal() {
    return refusal;
  }

  @Override
  public java.util.Map<String, Long> highestCountersOf(String nodeId) {
    return store.highestCountersOf(nodeId);
  }

  @Override
  public boolean checkOwnCounters(String source, java.util.Map<String, Long> reported) {
    return store.checkOwnCounters(source, reported);
  }

  @Override
  public String actorId() {
    return store.actorId();
  }

  @Override
  public String contextScope() {
    return store.contextScope();
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> coordinate(byte[] key, byte[] value, Context context) {
    return refusal != null ? CompletableFuture.failedFuture(refused()) : store.coordinate(key, value, context);
  }

  @Override
  public Logged coordinateLogged(byte[] key, byte[] value, Context context) {
    return coordinateLogged(key, value, context, null, null);
  }

  @Override
  public Logged coordinateLogged(byte[] key, byte[] value, Context context, OperationId op, Executor completer) {
    if (refusal != null) {
      throw refused();
    }
    return store.coordinateLogged(key, value, context, op, completer);
  }

  @Override
  public Logged tryCoordinateCached(byte[] key, byte[] value, Context context, OperationId op, Executor completer) {
    if (refusal != null) {
      throw refused();
    }
    return store.tryCoordinateCached(key, value, context, op, completer);
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote) {
    return merge(key, remote, null);
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> merge(byte[] key, DvvSet<StoredValue> remote, Executor completer) {
    return refusal != null ? CompletableFuture.failedFuture(refused()) : store.merge(key, remote, completer);
  }

  @Override
  public CompletableFuture<DvvSet<StoredValue>> tryMergeCached(byte[] key, DvvSet<StoredValue> remote,
      Executor completer) {
    return refusal != null ? CompletableFuture.failedFuture(refused()) : store.tryMergeCached(key, remote, completer);
  }

  @Override
  public DvvSet<StoredValue> coordinateNow(byte[] key, byte[] value, Context context) {
    return coordinate(key, value, context).join();
  }

  @Override
  public DvvSet<StoredValue> mergeNow(byte[] key, DvvSet<StoredValue> remote) {
    return merge(key, remote).join();
  }

  @Override
  public RequestChecks checks() {
    return store.checks();
  }

  @Override
  public DvvSet<StoredValue> read(byte[] key) {
    return store.read(key);
  }

  @Override
  public DvvSet<StoredValue> readCached(byte[] key) {
    return store.readCached(key);
  }

  @Override
  public byte[] readEncodedCached(byte[] key) {
    return store.readEncodedCached(key);
  }

  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, BiPredicate<byte[], DvvSet<StoredValue>> visitor) {
    store.scan(fromInclusive, toExclusive, visitor);
  }

  @Override
  public void addChangeListener(ChangeListener listener) {
    store.addChangeListener(listener);
  }
}
