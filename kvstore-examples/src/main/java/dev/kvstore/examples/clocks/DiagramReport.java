package dev.kvstore.examples.clocks;

import dev.kvstore.examples.clocks.DiagramRun.Stamped;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Formats a run as a table of events with Lamport and vector timestamps (vector entries in process
 * file order, like {@code (2,1,0)}), followed by the concurrent pairs.
 *
 * <p>Stateless and thread-safe.
 */
public final class DiagramReport {
  private DiagramReport() {}

  /**
   * Returns the vector timestamp of {@code s} with one entry per process of {@code diagram}, in
   * order.
   */
  public static String vector(Diagram diagram, Stamped s) {
    return diagram.processes().stream()
        .map(p -> Long.toString(s.vector().get(p.name())))
        .collect(Collectors.joining(",", "(", ")"));
  }

  /** Returns the pairs of events that are concurrent (neither happened before the other). */
  public static List<String> concurrentPairs(List<Stamped> run) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < run.size(); i++) {
      for (int j = i + 1; j < run.size(); j++) {
        if (run.get(i).vector().isConcurrentWith(run.get(j).vector())) {
          pairs.add(run.get(i).event().name() + " || " + run.get(j).event().name());
        }
      }
    }
    return pairs;
  }

  /** Returns the whole report, lines ending in {@code \n}. */
  public static String format(Diagram diagram, List<Stamped> run) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"process", "event", "kind", "lamport", "vector"});
    for (Stamped s : run) {
      rows.add(
          new String[] {
            s.event().process(),
            s.event().name(),
            s.event().describe(),
            Long.toString(s.lamport()),
            vector(diagram, s)
          });
    }
    StringBuilder out = new StringBuilder();
    String order =
        diagram.processes().stream().map(Diagram.Process::name).collect(Collectors.joining(", "));
    out.append("vector order: (").append(order).append(")\n");
    appendTable(out, rows);
    List<String> pairs = concurrentPairs(run);
    out.append('\n').append("concurrent pairs: ").append(pairs.size()).append('\n');
    pairs.forEach(p -> out.append("  ").append(p).append('\n'));
    return out.toString();
  }

  private static void appendTable(StringBuilder out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(String.format("%-" + width[c] + "s", row[c]))
            .append(c + 1 < row.length ? "  " : "");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
