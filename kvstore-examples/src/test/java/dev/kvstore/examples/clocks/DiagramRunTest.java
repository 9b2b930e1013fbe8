package dev.kvstore.examples.clocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.examples.clocks.DiagramRun.Stamped;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random diagrams: the concurrent pairs the report lists are exactly the pairs unordered by graph
 * reachability, and Lamport times grow along every edge ({@code -Dkvstore.seed=<n>} replays one
 * seed).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiagramRunTest {
  private static final int SEEDS = 300;

  /** Writes a random valid diagram: sends first chosen, each received later by another process. */
  private static String randomDiagram(SplittableRandom rnd) {
    int processes = 2 + rnd.nextInt(3);
    List<List<String>> lines = new ArrayList<>();
    List<List<Integer>> inbox = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      lines.add(new ArrayList<>());
      inbox.add(new ArrayList<>());
    }
    int steps = 5 + rnd.nextInt(20);
    int messages = 0;
    for (int i = 0; i < steps; i++) {
      int p = rnd.nextInt(processes);
      int choice = rnd.nextInt(3);
      if (choice == 0 && !inbox.get(p).isEmpty()) {
        lines
            .get(p)
            .add("e" + i + "=recv m" + inbox.get(p).remove(rnd.nextInt(inbox.get(p).size())));
      } else if (choice == 1) {
        lines.get(p).add("e" + i + "=send m" + messages);
        inbox.get((p + 1 + rnd.nextInt(processes - 1)) % processes).add(messages++);
      } else {
        lines.get(p).add("e" + i);
      }
    }
    StringBuilder text = new StringBuilder();
    for (int p = 0; p < processes; p++) {
      text.append("p").append(p).append(": ").append(String.join(", ", lines.get(p))).append('\n');
    }
    return text.toString();
  }

  /** Happened-before by reachability over program order and send-to-receive edges. */
  private static Map<String, BitSet> past(Diagram d, Map<String, Integer> index) {
    Map<String, Diagram.Event> sendOf = new HashMap<>();
    d.processes()
        .forEach(
            p ->
                p.events().stream()
                    .filter(e -> e.kind() == Diagram.Kind.SEND)
                    .forEach(e -> sendOf.put(e.message(), e)));
    Map<String, BitSet> past = new HashMap<>();
    boolean changed = true;
    while (changed) { // fixpoint: the diagram is acyclic, so this terminates
      changed = false;
      for (Diagram.Process p : d.processes()) {
        for (int k = 0; k < p.events().size(); k++) {
          Diagram.Event e = p.events().get(k);
          BitSet b = new BitSet();
          List<Diagram.Event> preds = new ArrayList<>();
          if (k > 0) {
            preds.add(p.events().get(k - 1));
          }
          if (e.kind() == Diagram.Kind.RECEIVE) {
            preds.add(sendOf.get(e.message()));
          }
          for (Diagram.Event pred : preds) {
            b.or(past.getOrDefault(pred.name(), new BitSet()));
            b.set(index.get(pred.name()));
          }
          if (!b.equals(past.get(e.name()))) {
            past.put(e.name(), b);
            changed = true;
          }
        }
      }
    }
    return past;
  }

  @Test
  void concurrentPairsAreExactlyTheUnorderedPairs() {
    forEachSeed(
        rnd -> {
          Diagram d = DiagramParser.parse(randomDiagram(rnd));
          List<Stamped> run = DiagramRun.run(d);
          Map<String, Integer> index = new HashMap<>();
          run.forEach(s -> index.put(s.event().name(), index.size()));
          Map<String, BitSet> past = past(d, index);
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < run.size(); i++) {
            for (int j = i + 1; j < run.size(); j++) {
              String a = run.get(i).event().name();
              String b = run.get(j).event().name();
              boolean ordered = past.get(b).get(index.get(a)) || past.get(a).get(index.get(b));
              if (!ordered) {
                expected.add(a + " || " + b);
              }
              if (past.get(b).get(index.get(a))) {
                assertThat(run.get(i).lamport()).isLessThan(run.get(j).lamport());
              }
            }
          }
          assertThat(DiagramReport.concurrentPairs(run)).isEqualTo(expected);
        });
  }

  private static void forEachSeed(java.util.function.Consumer<SplittableRandom> property) {
    String replay = System.getProperty("kvstore.seed");
    long from = replay == null ? 0 : Long.parseLong(replay);
    long to = replay == null ? SEEDS : from + 1;
    for (long seed = from; seed < to; seed++) {
      try {
        property.accept(new SplittableRandom(seed));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "failed for seed " + seed + " (replay with -Dkvstore.seed=" + seed + ")", e);
      }
    }
  }
}
