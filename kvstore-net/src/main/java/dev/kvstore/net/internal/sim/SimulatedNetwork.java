package dev.kvstore.net.internal.sim;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * A deterministic network of simulated nodes: one thread, virtual time, one seeded random generator. Messages
 * between {@link #transport transports} travel as events with per-link delays, losses and duplicates
 * ({@link LinkConfig}; reordering comes from random delays); {@link #partition partitions} silently drop
 * messages between two groups; {@link #crash crashed} nodes lose their pending timers and in-flight messages,
 * refuse requests (the requester learns it after a link delay, like a TCP reset) and come back with
 * {@link #restart}. Nothing runs until the test calls {@link #runUntilIdle}, {@link #runFor} or
 * {@link #runUntil}; the same seed and the same calls give the same {@link #trace()}, so a failing seed replays
 * exactly.
 *
 * <p>Not thread-safe by design: confined to the thread that created it, and every entry point (including the
 * transports' and schedulers') checks that, because a second thread would make runs irreproducible.
 *
 * <p>Implementation notes: the random generator is advanced only by the network's own work, in the order the
 * simulation does it: a send is itself an event at the current instant, and a node's log draws its disk latency
 * when it schedules its end-of-pass write ({@link #diskLatency}); so the draws follow the event order, which is
 * fixed by (time, insertion number), and the calls the test makes between runs. Nodes have no handshake here; all simulated transports share one cluster id.
 */
public final class SimulatedNetwork {
  private static final long MAX_EVENTS_PER_RUN = 10_000_000L;

  private final long seed;
  private final RandomGenerator random;
  private final Thread owner = Thread.currentThread();
  private final EventQueue events = new EventQueue();
  private final List<String> trace = new ArrayList<>();
  private final Map<String, SimulatedTransport> nodes = new HashMap<>();
  private final Map<List<String>, LinkConfig> links = new HashMap<>();
  private final List<List<Set<String>>> partitions = new ArrayList<>();
  private final SimScheduler scheduler = new SimScheduler(this, null);
  private LinkConfig defaults = LinkConfig.RELIABLE;
  private long diskMinNanos;
  private long diskMaxNanos;
  private boolean running;

  private SimulatedNetwork(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  /** Creates an empty network whose randomness comes from {@code seed}, confined to the calling thread. */
  public static SimulatedNetwork create(long seed) {
    return new SimulatedNetwork(seed);
  }

  /** Returns the seed this network was created with. */
  public long seed() {
    return seed;
  }

  /** Returns the network-wide scheduler: virtual time, tasks run on the simulation thread. */
  public Scheduler scheduler() {
    checkThread();
    return scheduler;
  }

  /**
   * Returns a scheduler whose tasks belong to {@code node}: a crash of the node cancels them, and tasks scheduled
   * while it is down are ignored.
   *
   * @throws NullPointerException if {@code node} is null
   */
  public Scheduler scheduler(String node) {
    checkThread();
    return new SimScheduler(this, Objects.requireNonNull(node, "node"));
  }

  /**
   * Creates the transport of node {@code nodeId}; it is reachable once started. After the previous transport of
   * the same id is closed, a new one may be created (a process restart with fresh state).
   *
   * @throws NullPointerException if {@code nodeId} is null
   * @throws IllegalArgumentException if {@code nodeId} is blank
   * @throws IllegalStateException if the node already has a transport that is not closed
   */
  public Transport transport(String nodeId) {
    checkThread();
    if (Objects.requireNonNull(nodeId, "nodeId").isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank");
    }
    if (nodes.containsKey(nodeId)) {
      throw new IllegalStateException("node " + nodeId + " already has an open transport; close it first");
    }
    SimulatedTransport transport = new SimulatedTransport(this, nodeId);
    nodes.put(nodeId, transport);
    return transport;
  }

  /** Sets the behaviour of every link that has no configuration of its own (initially {@link LinkConfig#RELIABLE}). */
  public void linkDefaults(LinkConfig config) {
    checkThread();
    defaults = Objects.requireNonNull(config, "config");
  }

  /**
   * Sets how long a node's write-ahead log takes to write and force a group after the event that appended to it:
   * drawn uniformly from {@code [min, max]} per group (initially zero: at the end of the same instant). Crashes
   * that fall in between lose what was not yet forced.
   *
   * @throws IllegalArgumentException if {@code min} is negative or {@code max < min}
   */
  public void diskLatency(Duration min, Duration max) {
    checkThread();
    LinkConfig checked = LinkConfig.randomDelay(min, max); // the same checks as a link's delays
    diskMinNanos = checked.minDelay().toNanos();
    diskMaxNanos = checked.maxDelay().toNanos();
  }

  /** Sets the behaviour of the one-way link from {@code from} to {@code to}. */
  public void link(String from, String to, LinkConfig config) {
    checkThread();
    links.put(List.of(from, to), Objects.requireNonNull(config, "config"));
  }

  /**
   * Cuts every link between a node of {@code a} and a node of {@code b}, both ways, until {@link #heal()}; messages
   * in flight across the cut are lost too. Partitions accumulate.
   *
   * @throws IllegalArgumentException if a group is empty or the groups overlap
   */
  public void partition(Set<String> a, Set<String> b) {
    checkThread();
    Set<String> left = new TreeSet<>(a);
    Set<String> right = new TreeSet<>(b);
    if (left.isEmpty() || right.isEmpty() || left.stream().anyMatch(right::contains)) {
      throw new IllegalArgumentException("partition groups must be non-empty and disjoint, got " + a + " and " + b);
    }
    partitions.add(List.of(left, right));
    note("partition " + left + " | " + right);
  }

  /** Removes every partition. */
  public void heal() {
    checkThread();
    partitions.clear();
    note("heal");
  }

  /**
   * Crashes {@code node}: its pending timers and in-flight messages are dropped, its outstanding requests fail
   * with {@code PeerUnavailableException}, and it refuses everything until {@link #restart}.
   *
   * @throws IllegalStateException if the node has no started, running transport
   */
  public void crash(String node) {
    checkThread();
    SimulatedTransport transport = nodes.get(node);
    if (transport == null || !transport.isUp()) {
      throw new IllegalStateException("node " + node + " is not running, cannot crash it");
    }
    transport.crash();
    events.cancelOwnedBy(node);
    note("crash " + node);
  }

  /**
   * Brings a crashed node back: its transport (with its handler and Lamport clock) serves again.
   *
   * @throws IllegalStateException if the node is not crashed
   */
  public void restart(String node) {
    checkThread();
    SimulatedTransport transport = nodes.get(node);
    if (transport == null || !transport.isDown()) {
      throw new IllegalStateException("node " + node + " is not crashed, cannot restart it");
    }
    transport.restart();
    note("restart " + node);
  }

  /** Returns whether {@code node} has a started transport that is neither crashed nor closed. */
  public boolean isUp(String node) {
    SimulatedTransport transport = nodes.get(node);
    return transport != null && transport.isUp();
  }

  /**
   * Runs events until none is left.
   *
   * @throws IllegalStateException if events keep coming (a periodic timer) after 10 million; use
   *     {@link #runFor} or {@link #runUntil} then
   */
  public void runUntilIdle() {
    run(Long.MAX_VALUE, () -> false);
  }

  /**
   * Runs every event due within {@code duration} of virtual time, then sets the clock to its end.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException if more than 10 million events run (a timer loop without delay?)
   */
  public void runFor(Duration duration) {
    long deadline = deadline(duration);
    run(deadline, () -> false);
    events.advanceTo(deadline);
  }

  /**
   * Runs events until {@code condition} holds (checked before each event) or {@code maxVirtual} of virtual time
   * has passed.
   *
   * @return whether the condition holds
   * @throws IllegalArgumentException if {@code maxVirtual} is negative
   * @throws IllegalStateException if more than 10 million events run (a timer loop without delay?)
   */
  public boolean runUntil(BooleanSupplier condition, Duration maxVirtual) {
    long deadline = deadline(maxVirtual);
    run(deadline, condition);
    if (condition.getAsBoolean()) {
      return true;
    }
    events.advanceTo(deadline);
    return false;
  }

  /** Returns the virtual time since the network was created. */
  public Duration now() {
    return Duration.ofNanos(events.now());
  }

  /**
   * Returns the trace so far: one line per network event ({@code t=<ns> <from>-><to> <kind> #<id> <event>}, or
   * {@code t=<ns> <event>} for crashes, partitions ...). Equal for equal seeds and calls.
   */
  public List<String> trace() {
    return List.copyOf(trace);
  }

  @Override
  public String toString() {
    return "SimulatedNetwork[seed=" + seed + ", t=" + events.now() + "ns, nodes=" + new TreeSet<>(nodes.keySet()) + "]";
  }

  // ---- for the simulated transports and schedulers

  long nanoTime() {
    checkThread();
    return events.now();
  }

  boolean onSimulationThread() {
    return Thread.currentThread() == owner;
  }

  long drawDiskLatencyNanos() {
    checkThread();
    return diskMinNanos == diskMaxNanos ? diskMinNanos : random.nextLong(diskMinNanos, diskMaxNanos + 1);
  }

  void checkThread() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("the simulated network is confined to thread '" + owner.getName()
          + "' but was called from '" + Thread.currentThread().getName() + "'");
    }
  }

  Cancellable schedule(String node, long delayNanos, Runnable task) {
    checkThread();
    SimulatedTransport transport = node == null ? null : nodes.get(node);
    if (transport != null && transport.isDown()) {
      return () -> { };
    }
    return events.add(delayNanos, node, task);
  }

  boolean isReachable(String node) {
    SimulatedTransport transport = nodes.get(node);
    return transport != null && transport.isStarted();
  }

  void send(SimulatedTransport from, String to, Envelope envelope) {
    events.add(0, from.localNode(), () -> transmit(from, to, envelope));
  }

  void unregister(SimulatedTransport transport) {
    nodes.remove(transport.localNode(), transport);
    events.cancelOwnedBy(transport.localNode());
    note("close " + transport.localNode());
  }

  void record(String from, String to, Envelope envelope, String event) {
    trace.add("t=" + events.now() + " " + from + "->" + to + " " + Envelopes.kind(envelope) + " #"
        + envelope.getRequestId() + " " + event);
  }

  void note(String event) {
    trace.add("t=" + events.now() + " " + event);
  }

  // ---- private

  private void transmit(SimulatedTransport from, String to, Envelope envelope) {
    SimulatedTransport target = nodes.get(to);
    int incarnation = target == null ? -1 : target.incarnation();
    LinkConfig link = links.getOrDefault(List.of(from.localNode(), to), defaults);
    if (random.nextDouble() < link.dropRate()) {
      record(from.localNode(), to, envelope, "lost");
      return;
    }
    boolean twice = random.nextDouble() < link.duplicateRate();
    record(from.localNode(), to, envelope, twice ? "send twice" : "send");
    for (int copy = twice ? 2 : 1; copy > 0; copy--) {
      events.add(link.sampleDelayNanos(random), from.localNode(),
          () -> deliver(from, to, target, incarnation, envelope));
    }
  }

  private void deliver(SimulatedTransport from, String to, SimulatedTransport target, int incarnation,
      Envelope envelope) {
    if (partitioned(from.localNode(), to)) {
      record(from.localNode(), to, envelope, "cut by partition");
    } else if (target == null || !target.isUp() || target.incarnation() != incarnation) {
      record(from.localNode(), to, envelope, "refused (node down)");
      if (!envelope.getIsReply()) {
        LinkConfig back = links.getOrDefault(List.of(to, from.localNode()), defaults);
        events.add(back.sampleDelayNanos(random), from.localNode(), () -> from.refused(envelope, to));
      }
    } else {
      record(from.localNode(), to, envelope, "deliver");
      target.receive(envelope);
    }
  }

  private boolean partitioned(String a, String b) {
    for (List<Set<String>> cut : partitions) {
      if (cut.get(0).contains(a) && cut.get(1).contains(b) || cut.get(0).contains(b) && cut.get(1).contains(a)) {
        return true;
      }
    }
    return false;
  }

  private void run(long deadline, BooleanSupplier stop) {
    checkThread();
    if (running) {
      throw new IllegalStateException("the simulation is already running (called from inside an event)");
    }
    running = true;
    long count = 0;
    try {
      EventQueue.Event next;
      while (count < MAX_EVENTS_PER_RUN && !stop.getAsBoolean() && (next = events.pollDue(deadline)) != null) {
        next.action.run();
        count++;
      }
    } finally {
      running = false;
    }
    if (count >= MAX_EVENTS_PER_RUN) {
      throw new IllegalStateException("still busy after " + MAX_EVENTS_PER_RUN + " events in one run (a periodic "
          + "timer, or a task that reschedules itself without delay?); at " + this);
    }
  }

  private long deadline(Duration duration) {
    if (Objects.requireNonNull(duration, "duration").isNegative()) {
      throw new IllegalArgumentException("duration must be >= 0, got " + duration);
    }
    long nanos = duration.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 2 : duration.toNanos();
    return events.now() + nanos;
  }
}
