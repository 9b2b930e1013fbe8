package dev.kvstore.net.internal.sim;

import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.Scheduler;
import java.util.Objects;
import dev.kvstore.core.internal.LoopExecutor;
import java.util.concurrent.Executor;

/**
 * A {@link Scheduler} in the simulation's virtual time: tasks and executor work run as events on the
 * simulation thread; the executor is a {@link LoopExecutor}, so a write-ahead log appended to from a node's event
 * writes and forces its group in a later event of that node. A node's scheduler loses its pending tasks when the node crashes, and ignores new ones
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
    this.executor = new Loop(network, owner);
  }

  /**
   * The node's tasks as an event loop: each task is an event at the current instant, and an end-of-pass task (the
   * log's group write and force) runs after the disk's latency ({@link SimulatedNetwork#diskLatency}), so the
   * appends of the events in between join its group, as on a busy loop.
   */
  private record Loop(SimulatedNetwork network, String owner) implements LoopExecutor {
    @Override
    public void execute(Runnable task) {
      network.schedule(owner, 0, Objects.requireNonNull(task, "task"));
    }

    @Override
    public boolean inLoop() {
      return network.onSimulationThread();
    }

    @Override
    public void executeAtEndOfPass(Runnable task) {
      network.schedule(owner, network.drawDiskLatencyNanos(), Objects.requireNonNull(task, "task"));
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
      network.schedule(owner, delayNanos, Objects.requireNonNull(task, "task"));
    }
  }

  @Override
  public long nanoTime() {
    return network.nanoTime();
  }

  @Override
  public Cancellable scheduleNanos(long delayNanos, Runnable task) {
    return network.schedule(owner, delayNanos, task);
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
