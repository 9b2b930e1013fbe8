package dev.kvstore.examples.clocks;

import dev.kvstore.examples.clocks.Diagram.Event;
import dev.kvstore.examples.clocks.Diagram.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses the text of a space-time diagram: one line per process, {@code p1: a, b=send m1, recv m2};
 * blank lines and {@code #} comments ignored. Checks that process and event names are unique, that
 * every message is sent at most once, received at most once, and that every received message is
 * sent.
 *
 * <p>Stateless and thread-safe.
 */
public final class DiagramParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private DiagramParser() {}

  /**
   * Parses {@code text} into a diagram.
   *
   * @throws DiagramException naming the line of the first problem found
   */
  public static Diagram parse(String text) {
    List<Diagram.Process> processes = new ArrayList<>();
    Map<String, Integer> processLines = new HashMap<>();
    Map<String, Integer> eventLines = new HashMap<>();
    Map<String, Event> sends = new HashMap<>();
    Map<String, Event> receives = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripComment(lines[i]).strip();
      if (line.isEmpty()) {
        continue;
      }
      Diagram.Process p = parseLine(line, lineNo);
      Integer earlier = processLines.putIfAbsent(p.name(), lineNo);
      if (earlier != null) {
        throw new DiagramException(
            lineNo, "process '" + p.name() + "' is already declared on line " + earlier);
      }
      for (Event e : p.events()) {
        checkOnce(e, sends, receives);
        Integer first = eventLines.putIfAbsent(e.name(), lineNo);
        if (first != null) {
          throw new DiagramException(
              lineNo, "event name '" + e.name() + "' is already used on line " + first);
        }
      }
      processes.add(p);
    }
    if (processes.isEmpty()) {
      throw new DiagramException(lines.length, "the diagram has no processes");
    }
    checkSent(sends, receives);
    return new Diagram(processes);
  }

  private static String stripComment(String line) {
    int hash = line.indexOf('#');
    return hash < 0 ? line : line.substring(0, hash);
  }

  private static Diagram.Process parseLine(String line, int lineNo) {
    int colon = line.indexOf(':');
    if (colon < 0) {
      throw new DiagramException(
          lineNo, "expected 'process: event, event, ...' but found no ':' in '" + line + "'");
    }
    String process = checkName(line.substring(0, colon).strip(), "process name", lineNo);
    String rest = line.substring(colon + 1).strip();
    List<Event> events = new ArrayList<>();
    if (!rest.isEmpty()) {
      for (String token : rest.split(",", -1)) {
        events.add(parseEvent(token.strip(), process, lineNo));
      }
    }
    return new Diagram.Process(process, lineNo, events);
  }

  private static Event parseEvent(String token, String process, int lineNo) {
    if (token.isEmpty()) {
      throw new DiagramException(lineNo, "empty event (two commas in a row, or a trailing comma)");
    }
    String name = null;
    String body = token;
    int eq = token.indexOf('=');
    if (eq >= 0) {
      name = checkName(token.substring(0, eq).strip(), "event name", lineNo);
      body = token.substring(eq + 1).strip();
    }
    String[] words = body.split("\\s+");
    if (words.length == 2 && isAction(words[0])) {
      String message = checkName(words[1], "message name", lineNo);
      Kind kind = words[0].equals("send") ? Kind.SEND : Kind.RECEIVE;
      String auto = (kind == Kind.SEND ? "send(" : "recv(") + message + ")";
      return new Event(name != null ? name : auto, kind, message, process, lineNo);
    }
    if (words.length == 1 && isAction(words[0])) {
      throw new DiagramException(
          lineNo, "'" + words[0] + "' needs a message name, as in '" + words[0] + " m1'");
    }
    if (words.length == 1 && name == null) {
      String local = checkName(words[0], "event name", lineNo);
      return new Event(local, Kind.LOCAL, null, process, lineNo);
    }
    throw new DiagramException(
        lineNo,
        "cannot read event '" + token + "': expected NAME, [NAME=]send MSG or [NAME=]recv MSG");
  }

  private static boolean isAction(String word) {
    return word.equals("send") || word.equals("recv") || word.equals("receive");
  }

  private static String checkName(String name, String what, int lineNo) {
    if (!NAME.matcher(name).matches() || isAction(name)) {
      throw new DiagramException(
          lineNo,
          "invalid "
              + what
              + " '"
              + name
              + "': use 1-64 letters, digits, '_', '.' or '-'"
              + " (not send/recv)");
    }
    return name;
  }

  private static void checkOnce(Event e, Map<String, Event> sends, Map<String, Event> receives) {
    if (e.kind() == Kind.LOCAL) {
      return;
    }
    Event first = (e.kind() == Kind.SEND ? sends : receives).putIfAbsent(e.message(), e);
    if (first != null) {
      throw new DiagramException(
          e.line(),
          "message '"
              + e.message()
              + "' is "
              + (e.kind() == Kind.SEND ? "sent" : "received")
              + " twice (first on line "
              + first.line()
              + ")");
    }
  }

  private static void checkSent(Map<String, Event> sends, Map<String, Event> receives) {
    receives.values().stream()
        .filter(r -> !sends.containsKey(r.message()))
        .min(Comparator.comparingInt(Event::line))
        .ifPresent(
            r -> {
              throw new DiagramException(
                  r.line(), "recv of message '" + r.message() + "' that is never sent");
            });
  }
}
