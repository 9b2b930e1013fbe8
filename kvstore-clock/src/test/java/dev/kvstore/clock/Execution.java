package dev.kvstore.clock;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random message-passing execution: processes doing local events, sends and receives (in any
 * order of delivery). Happened-before is computed from the graph alone (program order and
 * send-to-receive edges), independently of any clock; the clocks under test are stamped on each
 * event as it happens.
 */
final class Execution {
  enum Kind {
    LOCAL,
    SEND,
    RECEIVE
  }

  /** One event with the timestamps the clocks gave it and the physical time its process read. */
  static final class Event {
    final int id;
    final int process;
    final Kind kind;
    final int sendId; // for RECEIVE: the id of the matching SEND, else -1
    long lamport;
    VectorClock vector;
    HlcTimestamp hlc;
    long physical;

    Event(int id, int process, Kind kind, int sendId) {
      this.id = id;
      this.process = process;
      this.kind = kind;
      this.sendId = sendId;
    }
  }

  final int processCount;
  final List<Event> events = new ArrayList<>();

  /** past.get(e) = the events that happened before e (reachability in the graph). */
  final List<BitSet> past = new ArrayList<>();

  private Execution(int processCount) {
    this.processCount = processCount;
  }

  /**
   * Generates and runs an execution of {@code steps} events over {@code processCount} processes.
   */
  static Execution random(SplittableRandom rnd, int processCount, int steps) {
    Execution x = new Execution(processCount);
    List<LamportClock> lamport = new ArrayList<>();
    List<ProcessClock> vector = new ArrayList<>();
    List<HybridLogicalClock> hlc = new ArrayList<>();
    List<ManualTime> time = new ArrayList<>();
    List<List<Integer>> inbox = new ArrayList<>();
    int[] last = new int[processCount];
    for (int p = 0; p < processCount; p++) {
      lamport.add(new LamportClock());
      vector.add(new ProcessClock("p" + (p + 1)));
      ManualTime t = new ManualTime(1_000 + rnd.nextInt(20)); // skewed start
      time.add(t);
      hlc.add(new HybridLogicalClock(t));
      inbox.add(new ArrayList<>());
      last[p] = -1;
    }
    for (int i = 0; i < steps; i++) {
      int p = rnd.nextInt(processCount);
      ManualTime t = time.get(p);
      t.advance(
          rnd.nextInt(10) < 8 ? rnd.nextInt(2) : -rnd.nextInt(3)); // stalls and small steps back
      int choice = rnd.nextInt(3);
      Event e;
      if (choice == 2 && !inbox.get(p).isEmpty()) {
        int send = inbox.get(p).remove(rnd.nextInt(inbox.get(p).size()));
        Event s = x.events.get(send);
        e = new Event(i, p, Kind.RECEIVE, send);
        e.lamport = lamport.get(p).observe(s.lamport);
        e.vector = vector.get(p).receive(s.vector);
        e.hlc = hlc.get(p).update(s.hlc);
      } else if (choice == 1) {
        e = new Event(i, p, Kind.SEND, -1);
        e.lamport = lamport.get(p).tick();
        e.vector = vector.get(p).send();
        e.hlc = hlc.get(p).now();
        inbox.get((p + 1 + rnd.nextInt(processCount - 1)) % processCount).add(i);
      } else {
        e = new Event(i, p, Kind.LOCAL, -1);
        e.lamport = lamport.get(p).tick();
        e.vector = vector.get(p).localEvent();
        e.hlc = hlc.get(p).now();
      }
      e.physical = t.millis();
      x.add(e, last[p]);
      last[p] = i;
    }
    return x;
  }

  private void add(Event e, int previousOnProcess) {
    BitSet before = new BitSet();
    for (int pred : new int[] {previousOnProcess, e.sendId}) {
      if (pred >= 0) {
        before.or(past.get(pred));
        before.set(pred);
      }
    }
    events.add(e);
    past.add(before);
  }

  /** Returns whether {@code a} happened before {@code b}, by reachability. */
  boolean happenedBefore(Event a, Event b) {
    return past.get(b.id).get(a.id);
  }
}
