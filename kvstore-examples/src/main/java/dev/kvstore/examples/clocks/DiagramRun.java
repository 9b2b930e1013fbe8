package dev.kvstore.examples.clocks;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.clock.ProcessClock;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.examples.clocks.Diagram.Event;
import dev.kvstore.examples.clocks.Diagram.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a diagram: executes every event in an order that respects it (a receive only after its send)
 * with one {@link LamportClock} and one {@link ProcessClock} per process, and records each event's
 * timestamps. Any such order gives the same timestamps, since they depend only on the causal
 * structure.
 *
 * <p>Stateless and thread-safe.
 */
public final class DiagramRun {

  /**
   * An event with its timestamps.
   *
   * @param event the event
   * @param lamport its Lamport timestamp
   * @param vector its vector timestamp, keyed by process name
   */
  public record Stamped(Event event, long lamport, VectorClock vector) {}

  private DiagramRun() {}

  /**
   * Runs {@code diagram} and returns its events with timestamps, in diagram order (process by
   * process, each in program order).
   *
   * @throws DiagramException if some receive can never happen (its send waits on it: a cycle)
   */
  public static List<Stamped> run(Diagram diagram) {
    List<Diagram.Process> processes = diagram.processes();
    Map<Event, Stamped> stamped = new HashMap<>();
    Map<String, Stamped> sent = new HashMap<>();
    int[] next = new int[processes.size()];
    List<LamportClock> lamport = new ArrayList<>();
    List<ProcessClock> vector = new ArrayList<>();
    for (Diagram.Process p : processes) {
      lamport.add(new LamportClock());
      vector.add(new ProcessClock(p.name()));
    }
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < processes.size(); i++) {
        List<Event> events = processes.get(i).events();
        while (next[i] < events.size() && canRun(events.get(next[i]), sent)) {
          Stamped s = execute(events.get(next[i]), lamport.get(i), vector.get(i), sent);
          stamped.put(s.event(), s);
          next[i]++;
          progress = true;
        }
      }
    }
    checkFinished(processes, next, diagram);
    List<Stamped> out = new ArrayList<>();
    for (Diagram.Process p : processes) {
      p.events().forEach(e -> out.add(stamped.get(e)));
    }
    return out;
  }

  private static boolean canRun(Event e, Map<String, Stamped> sent) {
    return e.kind() != Kind.RECEIVE || sent.containsKey(e.message());
  }

  private static Stamped execute(
      Event e, LamportClock lamport, ProcessClock vector, Map<String, Stamped> sent) {
    Stamped s;
    if (e.kind() == Kind.RECEIVE) {
      Stamped send = sent.get(e.message());
      s = new Stamped(e, lamport.observe(send.lamport()), vector.receive(send.vector()));
    } else if (e.kind() == Kind.SEND) {
      s = new Stamped(e, lamport.tick(), vector.send());
      sent.put(e.message(), s);
    } else {
      s = new Stamped(e, lamport.tick(), vector.localEvent());
    }
    return s;
  }

  private static void checkFinished(List<Diagram.Process> processes, int[] next, Diagram diagram) {
    for (int i = 0; i < processes.size(); i++) {
      List<Event> events = processes.get(i).events();
      if (next[i] < events.size()) {
        Event stuck = events.get(next[i]);
        Event send = findSend(diagram, stuck.message());
        throw new DiagramException(
            stuck.line(),
            "'"
                + stuck.describe()
                + "' on "
                + stuck.process()
                + " can never happen: the send of '"
                + stuck.message()
                + "' (line "
                + send.line()
                + ", "
                + send.process()
                + ") waits on it (a cycle, deadlock)");
      }
    }
  }

  private static Event findSend(Diagram diagram, String message) {
    for (Diagram.Process p : diagram.processes()) {
      for (Event e : p.events()) {
        if (e.kind() == Kind.SEND && e.message().equals(message)) {
          return e;
        }
      }
    }
    throw new IllegalStateException("parser admitted a receive of the unsent message " + message);
  }
}
