package dev.kvstore.net.internal.replica;

import dev.kvstore.core.InsufficientReplicasException;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waits for {@code required} of {@code total} replica answers: completes with the answers once enough
 * arrived, or fails with {@link InsufficientReplicasException} (saying how many answered of how many were
 * needed) once every replica has answered or failed without reaching the quorum, or when the timeout
 * passes. It waits for the stragglers so the count in the exception is final, not a snapshot.
 * Answers arriving after completion are ignored. Thread-safe (guarded by this).
 *
 * @param <T> an answer
 */
final class QuorumCall<T> {
  private final String operation;
  private final int required;
  private final int total;
  private final CompletableFuture<List<T>> result = new CompletableFuture<>();
  private final List<T> answers = new ArrayList<>();
  private int failures;
  private Throwable firstFailure;
  private final Cancellable timer;

  QuorumCall(String operation, int required, int total, Scheduler scheduler, Duration timeout) {
    if (required < 1 || required > total) {
      throw new IllegalArgumentException(operation + ": required replies must be 1.." + total + ", got " + required);
    }
    this.operation = operation;
    this.required = required;
    this.total = total;
    this.timer = scheduler.schedule(timeout, this::timeout);
  }

  /** The outcome: at least {@code required} answers, in arrival order. */
  CompletableFuture<List<T>> result() {
    return result;
  }

  synchronized void answer(T answer) {
    if (result.isDone()) {
      return;
    }
    answers.add(answer);
    if (answers.size() >= required) {
      timer.cancel();
      result.complete(List.copyOf(answers));
    }
  }

  synchronized void fail(Throwable failure) {
    if (result.isDone()) {
      return;
    }
    failures++;
    if (firstFailure == null) {
      firstFailure = failure;
    }
    if (answers.size() + failures == total) {
      timer.cancel();
      result.completeExceptionally(insufficient());
    }
  }

  private synchronized void timeout() {
    if (!result.isDone()) {
      result.completeExceptionally(insufficient());
    }
  }

  private InsufficientReplicasException insufficient() {
    InsufficientReplicasException e = new InsufficientReplicasException(operation, answers.size(), required);
    if (firstFailure != null) {
      e.addSuppressed(firstFailure);
    }
    return e;
  }
}
