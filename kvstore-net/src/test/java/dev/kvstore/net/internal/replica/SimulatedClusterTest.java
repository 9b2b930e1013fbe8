package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quorum replication on the simulated network: five nodes, N=3 W=2 R=2, random delays (reordering), drops
 * and duplicates, no crashes. For each of 200 seeds: every acknowledged write is read back by a later R read;
 * writes with the same context through different coordinators come back as siblings; and the same seed gives
 * the same history. A failure names its seed; {@code -Dkvstore.seed=N} replays just that one.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SimulatedClusterTest {
  private static final int SEEDS = 200;
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final List<String> KEYS = List.of("a", "b", "c", "d");
  private static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofMillis(300));

  @Test
  void everyAcknowledgedWriteIsReadBackAndSameContextWritesBecomeSiblings() {
    int ackedWrites = 0;
    int sameContextRuns = 0;
    for (long seed : seeds()) {
      History h = run(seed);
      ackedWrites += h.ackedByKey.values().stream().mapToInt(List::size).sum();
      sameContextRuns += h.sameContextBothAcked ? 1 : 0;
      for (Map.Entry<String, List<String>> acked : h.ackedByKey.entrySet()) {
        List<String> read = h.finalReads.get(acked.getKey());
        assertThat(read).as("seed %d: key %s was read back", seed, acked.getKey()).isNotNull();
        assertThat(read).as("seed %d: key %s holds every acknowledged write", seed, acked.getKey())
            .containsAll(acked.getValue());
      }
      if (h.sameContextBothAcked) {
        assertThat(h.finalReads.get("shared")).as("seed %d: same-context writes are siblings", seed)
            .contains("x", "y").doesNotContain("base");
      }
    }
    int runs = seeds().size();
    assertThat(ackedWrites).as("most of the 32 writes per run are acknowledged despite the faults").isGreaterThan(runs * 32 / 2);
    assertThat(sameContextRuns).as("the same-context phase ran in most seeds").isGreaterThan(runs / 2);
  }

  @Test
  void theSameSeedGivesTheSameHistory() {
    for (long seed : seeds().subList(0, Math.min(20, seeds().size()))) {
      History first = run(seed);
      History second = run(seed);
      assertThat(second.events).as("seed %d: operations and reads", seed).isEqualTo(first.events);
      assertThat(second.trace).as("seed %d: network trace", seed).isEqualTo(first.trace);
    }
  }

  private static List<Long> seeds() {
    Long one = Long.getLong("kvstore.seed");
    return one != null ? List.of(one) : LongStream.range(1, SEEDS + 1).boxed().toList();
  }

  /** What one seeded run did and saw. */
  private static final class History {
    final List<String> events = new ArrayList<>();
    final Map<String, List<String>> ackedByKey = new LinkedHashMap<>();
    final Map<String, List<String>> finalReads = new LinkedHashMap<>();
    List<String> trace;
    boolean sameContextBothAcked;
  }

  private static History run(long seed) {
    SimulatedNetwork net = SimulatedNetwork.create(seed);
    SplittableRandom random = new SplittableRandom(seed);
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(40))
        .withDropRate(0.05).withDuplicateRate(0.05));
    Ring ring = Ring.of(NODES);
    Map<String, KvStore> stores = new LinkedHashMap<>();
    List<LocalStore> locals = new ArrayList<>();
    List<Transport> transports = new ArrayList<>();
    History h = new History();
    try {
      for (String id : NODES) {
        LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
            .clock(() -> Instant.EPOCH.plus(net.now())).random(new SplittableRandom(seed * 31 + id.hashCode()))
            .config());
        locals.add(local);
        Transport t = net.transport(id);
        transports.add(t);
        var scheduler = net.scheduler(id);
        Coordinator c = new Coordinator(id, local, ring, t, scheduler);
        t.serve(new ReplicaService(id, c, QUORUM));
        t.start();
        stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
      }
      writeWaves(net, random, stores, h);
      sameContextWrites(net, stores, h);
      for (String key : KEYS) {
        read(net, stores.get(NODES.get(random.nextInt(NODES.size()))), key, h);
      }
      read(net, stores.get("n5"), "shared", h);
      h.trace = net.trace();
      return h;
    } finally {
      transports.forEach(Transport::close);
      locals.forEach(LocalStore::close);
    }
  }

  /** Eight waves of four concurrent blind-sibling writes (empty context) through random coordinators. */
  private static void writeWaves(SimulatedNetwork net, SplittableRandom random, Map<String, KvStore> stores, History h) {
    int n = 0;
    for (int wave = 0; wave < 8; wave++) {
      List<CompletableFuture<Context>> futures = new ArrayList<>();
      List<String[]> ops = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String key = KEYS.get(random.nextInt(KEYS.size()));
        String value = "v" + (n++);
        String via = NODES.get(random.nextInt(NODES.size()));
        ops.add(new String[] {key, value, via});
        futures.add(stores.get(via).putAsync(bytes(key), bytes(value), Context.empty()));
      }
      assertThat(net.runUntil(() -> futures.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(30)))
          .as("seed %d: every write completes (acknowledged or failed) within its timeouts", net.seed()).isTrue();
      for (int i = 0; i < ops.size(); i++) {
        String[] op = ops.get(i);
        boolean ok = futures.get(i).isDone() && !futures.get(i).isCompletedExceptionally();
        h.events.add("put " + op[0] + "=" + op[1] + " via " + op[2] + (ok ? " ok " + futures.get(i).join() : " failed"));
        if (ok) {
          h.ackedByKey.computeIfAbsent(op[0], k -> new ArrayList<>()).add(op[1]);
        }
      }
    }
  }

  /** A base write, a read of its context, then two writes with that context through different coordinators. */
  private static void sameContextWrites(SimulatedNetwork net, Map<String, KvStore> stores, History h) {
    CompletableFuture<Context> base = stores.get("n1").putAsync(bytes("shared"), bytes("base"), Context.empty());
    net.runUntil(base::isDone, Duration.ofSeconds(30));
    Versions seen = read(net, stores.get("n2"), "shared", h);
    if (base.isCompletedExceptionally() || seen == null || !seen.strings().contains("base")) {
      h.events.add("same-context phase skipped");
      return;
    }
    List<String> replicas = Ring.of(NODES).preferenceList(bytes("shared"), 3);
    CompletableFuture<Context> x = stores.get(replicas.get(0)).putAsync(bytes("shared"), bytes("x"), seen.context());
    CompletableFuture<Context> y = stores.get(replicas.get(1)).putAsync(bytes("shared"), bytes("y"), seen.context());
    assertThat(net.runUntil(() -> x.isDone() && y.isDone(), Duration.ofSeconds(30)))
        .as("seed %d: both writes complete", net.seed()).isTrue();
    h.sameContextBothAcked = x.isDone() && y.isDone() && !x.isCompletedExceptionally() && !y.isCompletedExceptionally();
    h.events.add("same-context writes acked: " + h.sameContextBothAcked);
  }

  /** An R read, retried (a read may fail on dropped messages; that is not a lost write). */
  private static Versions read(SimulatedNetwork net, KvStore via, String key, History h) {
    for (int attempt = 0; attempt < 10; attempt++) {
      CompletableFuture<Versions> f = via.getAsync(bytes(key));
      assertThat(net.runUntil(f::isDone, Duration.ofSeconds(30))).as("seed %d: the read completes", net.seed()).isTrue();
      if (f.isDone() && !f.isCompletedExceptionally()) {
        Versions v = f.join();
        List<String> values = v.strings().stream().sorted().toList();
        h.finalReads.put(key, values);
        h.events.add("get " + key + " = " + values + " " + v.versions().stream().map(Version::history).toList());
        return v;
      }
    }
    h.events.add("get " + key + " failed 10 times");
    return null;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
