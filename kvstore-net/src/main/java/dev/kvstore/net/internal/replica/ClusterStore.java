package dev.kvstore.net.internal.replica;

import dev.kvstore.core.Context;
import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.StoreClosedException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.RequestChecks;
import dev.kvstore.core.internal.VersionsView;
import dev.kvstore.core.internal.Futures;
import dev.kvstore.net.internal.client.OperationIds;
import dev.kvstore.net.internal.transport.ErrorCodes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * The {@link KvStore} a cluster node hands out: every operation goes through the {@link Coordinator} with
 * this view's quorum. The futures of the {@code ...Async} methods complete on the node's executor, never on
 * a network event loop, so callers may chain blocking work onto them; the blocking methods wait on the
 * coordinator directly. Closing a view does nothing; the node owns the resources. Thread-safe.
 */
public final class ClusterStore implements KvStore {
  private final Coordinator coordinator;
  private final Quorum quorum;
  private final ConflictResolver resolver;
  private final BooleanSupplier closed;
  private final Executor executor;
  private final OperationIds operations;

  /**
   * A view over {@code coordinator} using {@code quorum}; {@code closed} tells when the node has stopped;
   * async results are handed to callers on {@code executor}. Every write gets an operation id of this node's
   * instance (the node id and a random part).
   */
  public ClusterStore(Coordinator coordinator, Quorum quorum, ConflictResolver resolver, BooleanSupplier closed,
      Executor executor) {
    this(coordinator, quorum, resolver, closed, executor, OperationIds.forInstance(coordinator.localNode()));
  }

  /** {@link #ClusterStore(Coordinator, Quorum, ConflictResolver, BooleanSupplier, Executor)} with these ids. */
  public ClusterStore(Coordinator coordinator, Quorum quorum, ConflictResolver resolver, BooleanSupplier closed,
      Executor executor, OperationIds operations) {
    this.coordinator = coordinator;
    this.quorum = quorum;
    this.resolver = resolver;
    this.closed = closed;
    this.executor = executor;
    this.operations = operations;
  }

  /** The same node with other W and R for every request of the returned view (same operation ids). */
  public ClusterStore withQuorum(int w, int r) {
    return new ClusterStore(coordinator, quorum.with(w, r), resolver, closed, executor, operations);
  }

  /** This view's quorum. */
  public Quorum quorum() {
    return quorum;
  }

  @Override
  public CompletableFuture<Versions> getAsync(byte[] key) {
    return handOff(startGet(key));
  }

  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context) {
    return handOff(startPut(key, value, context));
  }

  @Override
  public CompletableFuture<Context> putAsync(byte[] key, byte[] value) {
    return handOff(startPut(key, value));
  }

  @Override
  public CompletableFuture<Context> deleteAsync(byte[] key, Context context) {
    return handOff(startDelete(key, context));
  }

  @Override
  public Versions get(byte[] key) {
    return Futures.join(startGet(key));
  }

  @Override
  public Context put(byte[] key, byte[] value, Context context) {
    return Futures.join(startPut(key, value, context));
  }

  @Override
  public Context put(byte[] key, byte[] value) {
    return Futures.join(startPut(key, value));
  }

  @Override
  public Context delete(byte[] key, Context context) {
    return Futures.join(startDelete(key, context));
  }

  private <T> CompletableFuture<T> handOff(CompletableFuture<T> f) {
    return Futures.completeOn(f, executor);
  }

  private CompletableFuture<Versions> startGet(byte[] key) {
    checks().key(key);
    checkOpen();
    byte[] k = key.clone();
    return publicFailures(coordinator.read(k, quorum), true).thenApply(set ->
        VersionsView.of(k, set, Context.of(coordinator.replica().contextScope(), set.context()), resolver));
  }

  /** {@code f}, with a peer failure that reaches here turned into the public exception a user may catch. */
  private <T> CompletableFuture<T> publicFailures(CompletableFuture<T> f, boolean readOnly) {
    return f.exceptionallyCompose(e ->
        CompletableFuture.failedFuture(ErrorCodes.toPublic(e, readOnly, coordinator.localNode())));
  }

  private CompletableFuture<Context> startPut(byte[] key, byte[] value, Context context) {
    checks().key(key);
    checks().value(value);
    checks().context(context);
    checkOpen();
    return publicFailures(coordinator.write(key.clone(), value.clone(), context, operations.next(), quorum), false);
  }

  private CompletableFuture<Context> startPut(byte[] key, byte[] value) {
    checks().key(key);
    checks().value(value);
    checkOpen();
    return publicFailures(coordinator.write(key.clone(), value.clone(), null, operations.next(), quorum), false);
  }

  private CompletableFuture<Context> startDelete(byte[] key, Context context) {
    checks().key(key);
    checks().context(context);
    checkOpen();
    return publicFailures(coordinator.write(key.clone(), null, context, operations.next(), quorum), false);
  }

  private RequestChecks checks() {
    return coordinator.replica().checks();
  }

  private void checkOpen() {
    if (closed.getAsBoolean()) {
      throw new StoreClosedException("this node is stopped; start it again to use it");
    }
  }

  @Override
  public void close() {}
}
