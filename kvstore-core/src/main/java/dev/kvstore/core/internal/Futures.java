package dev.kvstore.core.internal;

import dev.kvstore.core.KvStoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Waiting for futures from blocking code, and handing their results to other threads. Not API. Thread-safe (stateless). */
public final class Futures {
  private Futures() {}

  /**
   * Waits for {@code future} and returns its value, rethrowing a {@link KvStoreException} or other unchecked
   * cause as it is (not wrapped in {@link CompletionException}).
   *
   * @throws KvStoreException the future's failure, or a wrapper of a checked one
   */
  public static <T> T join(CompletableFuture<T> future) {
    if (!future.isDone()) {
      BlockingGuard.checkMayBlock("waiting for a future");
    }
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvStoreException("interrupted while waiting for the store", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /**
   * Like {@link #join} but keeps waiting when interrupted (restoring the interrupt flag afterwards): for
   * a write whose key lock must not be released while its commit is still in flight.
   */
  public static <T> T joinUninterruptibly(CompletableFuture<T> future) {
    if (!future.isDone()) {
      BlockingGuard.checkMayBlock("waiting for a future");
    }
    try {
      return Threads.uninterruptibly(future::get);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** The unchecked exception to rethrow for {@code failure}, unwrapping completion wrappers. */
  public static RuntimeException unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new KvStoreException("operation failed: " + t, t);
  }

  /**
   * Returns a future that completes like {@code future} (failures unwrapped from completion wrappers), but on
   * {@code executor}: callers' callbacks then never run on the thread that completed {@code future} (a log's
   * applier or a network event loop). When the executor refuses (it is shutting down), completes inline
   * rather than never.
   */
  public static <T> CompletableFuture<T> completeOn(CompletableFuture<T> future, Executor executor) {
    CompletableFuture<T> out = new CompletableFuture<>();
    future.whenComplete((v, e) -> {
      Runnable complete = () -> {
        if (e == null) {
          out.complete(v);
        } else {
          out.completeExceptionally(unwrap(e));
        }
      };
      try {
        executor.execute(complete);
      } catch (RejectedExecutionException stopping) {
        complete.run();
      }
    });
    return out;
  }
}
