package dev.kvstore.net.internal.sim;

import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A {@link Scheduler} in the simulation's virtual time: tasks and executor work run as events on the
 * simulation thread. A node's scheduler loses its pending tasks when the node crashes, and ignores new ones
 * while it is down; the network-wide scheduler has no owner.
 *
 * <p>Confined to the simulation's thread (checked).
 */
final class SimScheduler implements Scheduler {
  private final SimulatedNetwork network;
  private final String owner;
  private final Executor executor;

  SimScheduler(SimulatedNetwork network, String owner) {
    this.network = network;
    this.owner = owner;
    this.executor = task -> network.schedule(owner, 0, Objects.requireNonNull(task, "task"));
  }

  @Override
  public long nanoTime() {
    return network.nanoTime();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Scheduler.checkSchedule(delay, task);
    return network.schedule(owner, delay.toNanos(), task);
  }

  @Override
  public Executor executor() {
    return executor;
  }

  /** {@inheritDoc} Here always {@link #executor()}: this scheduler has no event loops. */
  @Override
  public Executor completer() {
    return executor();
  }

  @Override
  public String toString() {
    return "SimScheduler[" + (owner == null ? "network" : owner) + "]";
  }
}
