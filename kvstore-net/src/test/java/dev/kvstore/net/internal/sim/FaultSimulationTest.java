package dev.kvstore.net.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.net.internal.sim.HistoryChecker.Result;
import dev.kvstore.net.internal.sim.HistoryChecker.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault simulation with its history checker ({@link FaultSimulation}, {@link HistoryChecker}): 500 seeds
 * of five nodes running the real store on simulated disks under drops, delays, duplicates, reordering,
 * partitions, crashes that lose what was not forced, restarts, and one node per seed (in two seeds of three)
 * losing its disk; outages longer than the hint window (hints dropped) in seeds without a disk loss; random
 * anti-entropy exchanges and purges of dead keys under the tombstone rule, also while clients read after the
 * workload. Besides the checker's properties (one of them: no read after a key's first purge returns a value an
 * earlier acknowledged delete covered), every replica of every key must hold the same set after the rounds of
 * heal. Prints the seed count, the faults injected, and each property with the operations it checked. A failure prints the seed and the key's history; {@code -Dkvstore.seed=N} replays one seed (and
 * prints which keys needed read repair), {@code -Dkvstore.seeds=N} runs seeds 1..N. "Each write live once" is
 * asserted on the final sets: a write may be minted twice (a retry after a crash), but operation ids merge the
 * copies back to one wherever they meet.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FaultSimulationTest {
  private static final int SEEDS = 500;
  private static final int MAX_REPORTED = 3;

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveConcurrentOnesStaySiblingsReplicasConvergeAndDeletesStay() throws IOException {
    List<Long> seeds = seeds();
    Result total = new Result();
    List<String> failures = new ArrayList<>();
    long crashes = 0;
    long diskLosses = 0;
    long partitions = 0;
    long bytesLost = 0;
    long repairedKeys = 0;
    long differedAfterAntiEntropy = 0;
    long antiEntropyMoved = 0;
    List<String> antiEntropyMisses = new ArrayList<>();
    long hintsLeft = 0;
    long hintsDropped = 0;
    long exchangesDuringWorkload = 0;
    long differedAfterOneRound = 0;
    long ops = 0;
    List<String> repairExamples = new ArrayList<>();
    for (long seed : seeds) {
      Path d = dir.resolve("seed-" + seed);
      FaultSimulation run = FaultSimulation.run(seed, d);
      Result r = HistoryChecker.check(run);
      total.add(r);
      crashes += run.crashes;
      diskLosses += run.diskLosses;
      partitions += run.partitions;
      bytesLost += run.unforcedBytesLost;
      repairedKeys += run.neededRepair.size();
      differedAfterAntiEntropy += run.differedAfterAntiEntropy.size();
      antiEntropyMoved += run.antiEntropyKeysMoved;
      if (!run.differedAfterAntiEntropy.isEmpty() && antiEntropyMisses.size() < MAX_REPORTED) {
        antiEntropyMisses.add("seed " + seed + ": " + String.join(" ", run.differedAfterAntiEntropy));
      }
      hintsLeft += run.hintsLeft;
      hintsDropped += run.hintsDropped;
      exchangesDuringWorkload += run.exchangesDuringWorkload;
      differedAfterOneRound += run.differedAfterOneRound.size();
      ops += run.history.ops.size();
      if (repairExamples.size() < 5 || seeds.size() == 1) {
        repairExamples.add("seed " + seed + ": " + (run.neededRepair.isEmpty() ? "none" : String.join(" ",
            run.neededRepair)));
      }
      List<Violation> broken = r.violations;
      if (!broken.isEmpty() && failures.size() < MAX_REPORTED) {
        failures.add(report(run, broken));
      }
      if (seeds.size() == 1) {
        System.out.println("seed " + seed + " history:\n  " + String.join("\n  ", run.history.lines()));
      }
      deleteTree(d);
    }
    System.out.printf("Fault simulation: %d seeds (%s), 5 nodes, N=3 W=2 R=2, %d ms of faults each; %d client "
            + "operations%n", seeds.size(), seeds.size() == 1 ? "seed " + seeds.get(0) : "seeds 1.." + seeds.size(),
        FaultSimulation.WORKLOAD_MILLIS, ops);
    System.out.printf("  faults: %d crashes (%d unforced log bytes lost with them), %d disks lost, %d partitions, "
        + "plus per-seed random link delays, drops and duplicates%n", crashes, bytesLost, diskLosses, partitions);
    System.out.printf("  %s: %d acknowledged puts checked, %d violations%n", HistoryChecker.LOST,
        total.checked.getOrDefault(HistoryChecker.LOST, 0), count(total, HistoryChecker.LOST));
    System.out.printf("  %s: %d acknowledged puts checked (%d ended as siblings, %d replaced by a write that saw "
            + "them; %d concurrent acknowledged pairs), %d violations%n", HistoryChecker.SIBLINGS,
        total.checked.getOrDefault(HistoryChecker.SIBLINGS, 0), total.siblingsAtEnd, total.supersededBySeen,
        total.concurrentPairs, count(total, HistoryChecker.SIBLINGS));
    System.out.printf("  hinted handoff: %d hints left undelivered after the drains, %d dropped for being older than "
        + "the %s window (their keys repaired by anti-entropy only)%n", hintsLeft, hintsDropped,
        FaultSimulation.HINT_WINDOW);
    System.out.printf("  %s: %d keys x 3 replicas compared after heal, %d violations; %d keys still needed read "
            + "repair after hints drained, i.e. anti-entropy's work (%s)%n", HistoryChecker.CONVERGED, total.checked.getOrDefault(HistoryChecker.CONVERGED, 0),
        count(total, HistoryChecker.CONVERGED), repairedKeys, String.join("; ", repairExamples));
    System.out.printf("  anti-entropy: %d exchanges during the workloads; at heal, rounds on every node (at most %d) "
        + "moved %d keys (sent plus received); %d keys differed after the first round (a purge racing it), %d after "
        + "the last%n", exchangesDuringWorkload, FaultSimulation.HEAL_ROUNDS, antiEntropyMoved, differedAfterOneRound,
        differedAfterAntiEntropy);
    System.out.printf("  tombstone rule: %d keys purged (record removed once every replica held the same dead set); "
            + "%d acknowledged puts deleted and then purged; %s: %d reads after a purge checked, %d violations%n",
        total.purgedKeys, total.deletedAndPurged, HistoryChecker.PURGED,
        total.checked.getOrDefault(HistoryChecker.PURGED, 0), count(total, HistoryChecker.PURGED));
    System.out.printf("  %s: %d acknowledged deletes checked (covering %d versions), %d violations%n",
        HistoryChecker.DELETES, total.checked.getOrDefault(HistoryChecker.DELETES, 0), total.valuesDeleted,
        count(total, HistoryChecker.DELETES));

    System.out.printf("  %s: %d acknowledged puts checked, %d violations (%d were minted twice, by a retry after "
            + "a crash or a duplicated request, and merged back to one version by operation id)%n",
        HistoryChecker.APPLIED_ONCE, total.checked.getOrDefault(HistoryChecker.APPLIED_ONCE, 0),
        count(total, HistoryChecker.APPLIED_ONCE), total.mintedTwice);
    assertThat(antiEntropyMisses).as("keys whose replicas still differed after the anti-entropy rounds")
        .isEmpty();
    assertThat(failures).as("violations (first %d seeds shown; replay one with -Dkvstore.seed=N)", MAX_REPORTED)
        .isEmpty();
    if (seeds.size() >= 100) { // the faults and the concurrency the properties are about did happen
      assertThat(crashes).isGreaterThan(seeds.size());
      assertThat(diskLosses).isGreaterThan(seeds.size() / 2);
      assertThat(bytesLost).isPositive();
      assertThat(partitions).isGreaterThan(seeds.size() / 2);
      assertThat(total.siblingsAtEnd).isPositive();
      assertThat(total.concurrentPairs).isPositive();
      assertThat(total.supersededBySeen).isPositive();
      assertThat(total.valuesDeleted).isPositive();
      assertThat(repairedKeys).isPositive();
      assertThat(hintsDropped).as("hints dropped for the window").isPositive();
      assertThat(total.purgedKeys).as("keys purged").isPositive();
      assertThat(total.checked.getOrDefault(HistoryChecker.PURGED, 0)).as("reads after a purge").isPositive();
    }
  }

  @Test
  void theSameSeedReplaysTheSameHistory() {
    for (long seed : List.of(3L, 7L, 11L)) {
      FaultSimulation first = FaultSimulation.run(seed, dir.resolve("a" + seed));
      FaultSimulation second = FaultSimulation.run(seed, dir.resolve("b" + seed));
      assertThat(second.history.lines()).as("seed %d: operations and outcomes", seed)
          .isEqualTo(first.history.lines());
      assertThat(second.net.trace()).as("seed %d: network trace", seed).isEqualTo(first.net.trace());
      assertThat(second.finalSets).as("seed %d: final replica sets", seed).isEqualTo(first.finalSets);
    }
  }

  /**
   * The checker catches a lost write: with one replica cut off, a put is acknowledged by the other two, and then
   * both lose their disks, one failure more than W=2 tolerates (the suite's faults never go that far).
   */
  @Test
  void theCheckerCatchesALostWrite() {
    FaultSimulation run = FaultSimulation.run(42, dir, sim -> {
      List<String> replicas = replicasOf(sim, "k0");
      sim.net.linkDefaults(LinkConfig.RELIABLE);
      sim.later(10, () -> sim.net.partition(Set.of(replicas.get(2)), rest(replicas.get(2))));
      sim.later(20, () -> sim.submit("c1", "k0", SimHistory.Kind.PUT_EMPTY_CONTEXT, null, replicas.get(0)));
      sim.later(400, () -> beyondTolerance(sim, replicas));
      sim.later(450, () -> sim.net.heal());
    }, false);
    assertThat(run.history.ops).singleElement().satisfies(put -> assertThat(put.acked()).isTrue());
    List<Violation> violations = HistoryChecker.check(run).violations;
    assertThat(violations).extracting(Violation::property).containsExactly(HistoryChecker.LOST);
    String report = report(run, violations);
    assertThat(report).contains("seed 42", "k0.c1.1", "is unknown to every replica after heal",
        "disk of " + replicasOf(run, "k0").get(0) + " destroyed", "PUT_EMPTY_CONTEXT k0=k0.c1.1");
  }

  /**
   * The checker catches a resurrected delete: a value on all three replicas is deleted through the two the third
   * cannot reach, and then those two lose their disks (beyond what W=2 tolerates): the third's copy comes back.
   */
  @Test
  void theCheckerCatchesAResurrectedDelete() {
    FaultSimulation run = FaultSimulation.run(43, dir, sim -> {
      List<String> replicas = replicasOf(sim, "k0");
      sim.net.linkDefaults(LinkConfig.RELIABLE);
      sim.later(10, () -> sim.submit("c1", "k0", SimHistory.Kind.PUT_EMPTY_CONTEXT, null, replicas.get(0)));
      sim.later(100, () -> sim.submit("c1", "k0", SimHistory.Kind.GET, null, replicas.get(0)));
      sim.later(150, () -> sim.net.partition(Set.of(replicas.get(2)), rest(replicas.get(2))));
      sim.later(200, () -> sim.submit("c1", "k0", SimHistory.Kind.DELETE, sim.contextOf("c1", "k0"),
          replicas.get(0)));
      sim.later(500, () -> beyondTolerance(sim, replicas));
      sim.later(550, () -> sim.net.heal());
    }, false);
    assertThat(run.history.ops).hasSize(3).allSatisfy(op -> assertThat(op.acked()).isTrue());
    List<Violation> violations = HistoryChecker.check(run).violations;
    assertThat(violations).extracting(Violation::property).containsOnly(HistoryChecker.DELETES).isNotEmpty();
    assertThat(report(run, violations)).contains("seed 43", "acknowledged delete #3", "k0.c1.1",
        "which is live again", "DELETE k0 ctx");
  }

  /** The fault beyond tolerance the checker demonstrations need: two replicas of the key lose their disks. */
  private static void beyondTolerance(FaultSimulation sim, List<String> replicas) {
    for (String node : replicas.subList(0, 2)) {
      sim.crash(node);
      sim.loseDisk(node);
    }
  }

  private static List<String> replicasOf(FaultSimulation sim, String key) {
    return sim.cluster.ring().preferenceList(FaultSimulation.bytes(key), FaultSimulation.QUORUM.n());
  }

  private static Set<String> rest(String node) {
    Set<String> rest = new java.util.TreeSet<>(FaultSimulation.NODES);
    rest.remove(node);
    return rest;
  }

  private static String report(FaultSimulation run, List<Violation> violations) {
    StringBuilder s = new StringBuilder("seed " + run.seed + " (replay with -Dkvstore.seed=" + run.seed + "):\n");
    violations.stream().limit(5).forEach(v -> s.append("  ").append(v.property()).append(": ").append(v.message())
        .append('\n'));
    violations.stream().map(Violation::key).distinct().limit(2)
        .forEach(key -> s.append(HistoryChecker.story(run, key)));
    return s.toString();
  }

  private static long count(Result r, String property) {
    return r.violations.stream().filter(v -> v.property().equals(property)).count();
  }

  private static List<Long> seeds() {
    Long one = Long.getLong("kvstore.seed");
    if (one != null) {
      return List.of(one);
    }
    return LongStream.rangeClosed(1, Long.getLong("kvstore.seeds", SEEDS)).boxed().toList();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
