package dev.kvstore.examples.clocks;

import java.util.List;
import java.util.Objects;

/**
 * A space-time diagram: processes in file order, each with its events in program order.
 *
 * <p>Immutable and thread-safe.
 *
 * @param processes the processes, in the order their lines appear
 */
public record Diagram(List<Process> processes) {

  /** What an event does. */
  public enum Kind {
    /** A local event. */
    LOCAL,
    /** Sending a message. */
    SEND,
    /** Receiving a message. */
    RECEIVE
  }

  /**
   * One event.
   *
   * @param name the event's name, unique in the diagram
   * @param kind local, send or receive
   * @param message the message sent or received, null for a local event
   * @param process the name of the process the event belongs to
   * @param line the 1-based line the event is written on
   */
  public record Event(String name, Kind kind, String message, String process, int line) {
    /**
     * Returns what the event does, for humans: {@code local}, {@code send m1} or {@code recv m1}.
     */
    public String describe() {
      return switch (kind) {
        case LOCAL -> "local";
        case SEND -> "send " + message;
        case RECEIVE -> "recv " + message;
      };
    }
  }

  /**
   * One process (a line of the diagram).
   *
   * @param name the process name, unique in the diagram
   * @param line the 1-based line it is declared on
   * @param events its events in program order
   */
  public record Process(String name, int line, List<Event> events) {
    /** Creates a process; the event list is copied. */
    public Process {
      Objects.requireNonNull(name, "name");
      events = List.copyOf(events);
    }
  }

  /** Creates a diagram; the process list is copied. */
  public Diagram {
    processes = List.copyOf(processes);
  }

  /** The built-in textbook run, used when {@code kvstore clocks} gets no file. */
  public static final String TEXTBOOK =
      """
      # The textbook run: p1 sends m1 to p2, p2 sends m2 to p3.
      p1: a, b=send m1
      p2: c=recv m1, d=send m2
      p3: e, f=recv m2
      """;
}
