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
 * Answers arriving after completion are ignored. Thread-safe: counting is guarded by this; the result is
 * completed after the lock is released, so callbacks (reply encoding, a client's wake-up) never run under it.
 *
 * @param <T> an answer
 */
final class QuorumCall<T> {
  private final String operation;
  private final int required;
  private final int total;
  private final List<String> replicas;
  private final java.util.Set<String> answered = new java.util.HashSet<>(); // guarded by this
  private final CompletableFuture<List<T>> result = new CompletableFuture<>();
  private final List<T> answers = new ArrayList<>(); // guarded by this
  private int failures; // guarded by this
  private Throwable firstFailure; // guarded by this
  private boolean done; // guarded by this: decided; the result is completed (or about to be) outside the lock
  private final Cancellable timer;

  /** Waits for {@code required} answers of the nodes in {@code replicas}, for at most {@code timeout}. */
  QuorumCall(String operation, int required, List<String> replicas, Scheduler scheduler, Duration timeout) {
    int total = replicas.size();
    if (required < 1 || required > total) {
      throw new IllegalArgumentException(operation + ": required replies must be 1.." + total + ", got " + required);
    }
    this.operation = operation;
    this.required = required;
    this.total = total;
    this.replicas = List.copyOf(replicas);
    this.timer = scheduler.schedule(timeout, this::timeout);
  }

  /** The outcome: at least {@code required} answers, in arrival order. */
  CompletableFuture<List<T>> result() {
    return result;
  }

  /** Counts {@code node}'s answer; the call that reaches the quorum completes the result, outside the lock. */
  void answer(String node, T answer) {
    List<T> reached;
    synchronized (this) {
      if (done) {
        return;
      }
      answers.add(answer);
      answered.add(node);
      if (answers.size() < required) {
        return;
      }
      done = true;
      reached = List.copyOf(answers);
    }
    timer.cancel();
    result.complete(reached);
  }

  /** Counts {@code node}'s failure; the one that makes the quorum unreachable fails the result, outside the lock. */
  void fail(String node, Throwable failure) {
    InsufficientReplicasException insufficient;
    synchronized (this) {
      if (done) {
        return;
      }
      failures++;
      if (firstFailure == null) {
        firstFailure = failure;
      }
      if (answers.size() + failures < total) {
        return;
      }
      done = true;
      insufficient = insufficient();
    }
    timer.cancel();
    result.completeExceptionally(insufficient);
  }

  private void timeout() {
    InsufficientReplicasException insufficient;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      insufficient = insufficient();
    }
    result.completeExceptionally(insufficient);
  }

  private InsufficientReplicasException insufficient() { // under the lock
    List<String> missing = replicas.stream().filter(node -> !answered.contains(node)).toList();
    InsufficientReplicasException e = new InsufficientReplicasException(operation, answers.size(), required,
        firstFailure == null ? null : firstFailure.getClass().getSimpleName() + ": " + firstFailure.getMessage(),
        missing);
    if (firstFailure != null) {
      e.addSuppressed(firstFailure);
    }
    return e;
  }
}
