package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.client.ClientRequests;
import dev.kvstore.net.internal.client.ClientRouter;
import dev.kvstore.net.internal.client.OperationIds;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A retried write is applied once. Five nodes on the simulated network, N=3 W=2 R=2; a remote client (the real
 * {@link ClientRouter}) and the nodes' own stores write blind siblings (empty context, so every version of every
 * write stays visible) while the network drops 5% of all messages, duplicates 5%, and drops 30% of the replies to
 * the client, and a node crashes in every other wave (and restarts after it): attempts time out or lose their
 * connection after they executed, and the client and the forwarding nodes retry them on the next replica. After the faults heal, the union of every replica's set holds each logical write at most once,
 * and each acknowledged one exactly once, and a read of all replicas shows each write once. For each of 100 seeds; {@code -Dkvstore.seed=N} replays one.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RetriedWriteSimTest {
  private static final int SEEDS = 100;
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final List<String> KEYS = List.of("a", "b", "c");
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Quorum QUORUM = new Quorum(3, 2, 2, TIMEOUT);

  @Test
  void everyLogicalWriteLeavesOneVersionWhileRepliesAreDroppedAndAttemptsRetried() {
    int acked = 0;
    int retried = 0;
    for (long seed : seeds()) {
      Run run = run(seed, false);
      assertThat(run.duplicatesBeforeReads).as("seed %d: versions per value on the replicas (only values with more"
          + " than one)", seed).isEmpty();
      assertThat(run.missing).as("seed %d: acknowledged writes missing from every replica", seed).isEmpty();
      acked += run.acked;
      retried += run.retried;
    }
    System.out.printf("RetriedWriteSimTest, drops: %d seeds, %d acknowledged writes, %d retried attempts, no"
        + " duplicate%n", seeds().size(), acked, retried);
    assertThat(retried).as("the faults made the client retry attempts that may have executed").isGreaterThan(seeds().size());
    assertThat(acked).as("most writes were acknowledged").isGreaterThan(seeds().size() * 24 / 2);
  }

  /**
   * With crashes, an attempt may reach only its coordinator (its Replicates die with it), and the retry, which
   * cannot see it, makes a second version: the documented limit. Reads never show both, and once a read of all
   * replicas has repaired them, every replica holds one version per logical write.
   */
  @Test
  void withCrashesReadsShowOneVersionAndRepairedReplicasConvergeOnIt() {
    int acked = 0;
    int crashes = 0;
    int metBeforeReads = 0;
    for (long seed : seeds()) {
      Run run = run(seed, true);
      assertThat(run.duplicatesAfterReads).as("seed %d: versions per value after reads repaired the replicas", seed)
          .isEmpty();
      assertThat(run.missing).as("seed %d: acknowledged writes missing from every replica", seed).isEmpty();
      acked += run.acked;
      crashes += run.crashes;
      metBeforeReads += run.duplicatesBeforeReads.size();
    }
    System.out.printf("RetriedWriteSimTest, drops and crashes: %d seeds, %d crashes, %d acknowledged writes, %d"
        + " written twice before reads merged them, none after%n", seeds().size(), crashes, acked, metBeforeReads);
    assertThat(crashes).as("nodes crashed during writes").isGreaterThan(seeds().size());
  }

  private static List<Long> seeds() {
    Long one = Long.getLong("kvstore.seed");
    return one != null ? List.of(one) : LongStream.range(1, SEEDS + 1).boxed().toList();
  }

  /** What one seeded run found. */
  private static final class Run {
    Map<String, Integer> duplicatesBeforeReads;
    Map<String, Integer> duplicatesAfterReads;
    final List<String> missing = new ArrayList<>();
    int acked;
    int retried;
    int crashes;
  }

  private static Run run(long seed, boolean crashes) {
    SimulatedNetwork net = SimulatedNetwork.create(seed);
    SplittableRandom random = new SplittableRandom(seed);
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(30))
        .withDropRate(0.05).withDuplicateRate(0.05));
    for (String node : NODES) {
      net.link(node, "client", LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(30)).withDropRate(0.3));
    }
    Ring ring = Ring.of(NODES);
    Map<String, KvStore> stores = new LinkedHashMap<>();
    Map<String, LocalStore> locals = new LinkedHashMap<>();
    List<Transport> transports = new ArrayList<>();
    Run run = new Run();
    try {
      for (String id : NODES) {
        LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim")
            .clock(() -> Instant.EPOCH.plus(net.now())).random(new SplittableRandom(seed * 31 + id.hashCode()))
            .config());
        locals.put(id, local);
        Transport t = net.transport(id);
        transports.add(t);
        var scheduler = net.scheduler(id);
        Coordinator c = new Coordinator(id, local, ring, t, scheduler);
        t.serve(new ReplicaService(id, c, QUORUM));
        t.start();
        stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor(),
            OperationIds.withClientId(id + "/sim")));
      }
      CountingTransport client = new CountingTransport(net.transport("client"));
      transports.add(client);
      client.start();
      ClientRouter router = new ClientRouter(client, ring, 3, TIMEOUT.multipliedBy(2), () -> false);
      OperationIds clientOps = OperationIds.withClientId("client/sim");

      Map<String, String> keyOfValue = new LinkedHashMap<>();
      List<String> ackedValues = new ArrayList<>();
      int n = 0;
      for (int wave = 0; wave < 8; wave++) {
        List<CompletableFuture<?>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        List<String> vias = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          String key = KEYS.get(random.nextInt(KEYS.size()));
          String value = "w" + (n++);
          keyOfValue.put(value, key);
          values.add(value);
          if (random.nextBoolean()) {
            futures.add(router.send("put", bytes(key), ClientRequests.write(bytes(key), bytes(value),
                Context.empty(), clientOps.next(), QUORUM.w(), TIMEOUT), QUORUM.w()));
          } else {
            String via = NODES.get(random.nextInt(NODES.size()));
            vias.add(via);
            futures.add(stores.get(via).putAsync(bytes(key), bytes(value), Context.empty()));
          }
        }
        // Every other wave, a node that coordinates no embedded write of the wave crashes a few milliseconds in
        // (its replies in flight are lost, as when a coordinator is killed just before acknowledging) and comes
        // back after the wave.
        List<String> victims = NODES.stream().filter(node -> !vias.contains(node)).toList();
        String victim = crashes && wave % 2 == 1 && !victims.isEmpty()
            ? victims.get(random.nextInt(victims.size())) : null;
        var crash = victim == null ? null
            : net.scheduler().schedule(Duration.ofMillis(random.nextInt(1, 40)), () -> net.crash(victim));
        assertThat(net.runUntil(() -> futures.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(60)))
            .as("seed %d: every write completes (acknowledged or failed)", seed).isTrue();
        for (int i = 0; i < futures.size(); i++) {
          if (!futures.get(i).isCompletedExceptionally()) {
            ackedValues.add(values.get(i));
          }
        }
        if (crash != null) {
          crash.cancel(); // if the wave ended first
        }
        if (victim != null && !net.isUp(victim)) {
          net.restart(victim);
          run.crashes++;
        }
      }
      net.linkDefaults(LinkConfig.RELIABLE);
      for (String node : NODES) {
        net.link(node, "client", LinkConfig.RELIABLE);
      }
      net.runFor(Duration.ofSeconds(5)); // late messages of the faulty phase land

      Map<String, Integer> versions = versionsOnReplicas(ring, locals);
      run.duplicatesBeforeReads = moreThanOnce(versions);
      for (String key : KEYS) {
        CompletableFuture<dev.kvstore.core.Versions> read =
            ((ClusterStore) stores.get("n1")).withQuorum(0, 3).getAsync(bytes(key));
        net.runUntil(read::isDone, Duration.ofSeconds(10));
        List<String> seen = read.join().strings();
        assertThat(seen).as("seed %d: a read of key %s shows each write once", seed, key)
            .doesNotHaveDuplicates();
      }
      net.runFor(Duration.ofSeconds(5)); // read repair lands
      run.duplicatesAfterReads = moreThanOnce(versionsOnReplicas(ring, locals));
      for (String value : ackedValues) {
        if (!versions.containsKey(value)) {
          run.missing.add(value + " (key " + keyOfValue.get(value) + ")");
        }
      }
      run.acked = ackedValues.size();
      run.retried = client.retries;
      return run;
    } finally {
      transports.forEach(Transport::close);
      locals.values().forEach(LocalStore::close);
    }
  }

  /** How many versions of each value the replicas of its key hold together (their sets' sync, unfiltered). */
  private static Map<String, Integer> versionsOnReplicas(Ring ring, Map<String, LocalStore> locals) {
    Map<String, Integer> versions = new TreeMap<>();
    for (String key : KEYS) {
      DvvSet<StoredValue> union = DvvSet.empty();
      for (String replica : ring.preferenceList(bytes(key), 3)) {
        union = DvvSet.sync(union, locals.get(replica).read(bytes(key)));
      }
      for (Versioned<StoredValue> s : union.siblings()) {
        versions.merge(new String(s.value().value(), StandardCharsets.UTF_8), 1, Integer::sum);
      }
    }
    return versions;
  }

  private static Map<String, Integer> moreThanOnce(Map<String, Integer> versions) {
    Map<String, Integer> more = new TreeMap<>();
    versions.forEach((value, count) -> {
      if (count > 1) {
        more.put(value, count);
      }
    });
    return more;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The client's transport, counting the attempts it sends as retries of attempts that may have executed. */
  private static final class CountingTransport extends ForwardingTransport {
    int retries; // simulation thread only

    CountingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
      if (body.hasForward() && body.getForward().getRetry()) {
        retries++;
      }
      return super.request(to, body, timeout);
    }
  }
}
