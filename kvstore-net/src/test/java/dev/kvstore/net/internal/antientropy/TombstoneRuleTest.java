package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.Context;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.hints.HandoffOptions;
import dev.kvstore.net.internal.replica.Quorum;
import dev.kvstore.net.internal.sim.SimulatedCluster;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tombstone rule on three simulated nodes (N=3 W=2 R=2, hint window 1 s, so the purge bound is 1.6 s): a
 * deleted key's record goes only once every replica is known, by an exchange that found its bucket equal, to hold
 * the tombstone, and once the tombstone is older than the bound; a replica that never answers leaves only the
 * grace purge, which keeps the key's context. And what the rule prevents: purging on age alone lets a replica
 * that missed the delete bring the value back.
 */
@Timeout(60)
class TombstoneRuleTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofMillis(300));
  private static final Duration BOUND = TombstonePurger.bound(Duration.ofSeconds(1), QUORUM.timeout(), Duration.ZERO);
  private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private final SimulatedNetwork net = SimulatedNetwork.create(5);
  private SimulatedCluster cluster;

  private void start() {
    cluster = SimulatedCluster.builder(net).nodes(NODES).quorum(QUORUM).directory(dir)
        .handoff(HandoffOptions.DEFAULTS.withWindow(Duration.ofSeconds(1))).start();
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aDeletedKeyStaysWhileAReplicaIsNotKnownToHoldItAndGoesOnceEveryReplicaIs() {
    start();
    deleteWhileCutOff("n3");
    net.runFor(BOUND.plusSeconds(1));
    roundsOf("n1", "n2"); // n1 and n2 are in sync with each other, n3 cannot be reached
    assertThat(set("n1").size()).as("n1 keeps the tombstone: n3 is not known to hold it").isEqualTo(1);
    assertThat(set("n2").size()).isEqualTo(1);
    assertThat(live("n3")).as("n3 missed the delete").containsExactly("v");

    net.heal();
    // Repairs n3; the exchange's last comparison of roots finds it in sync, so n1 now knows both peers hold the
    // tombstone: it removes the record and asks them to do the same.
    roundsOf("n1");
    for (String node : NODES) {
      assertThat(set(node)).as("%s removed the record, context and all", node).isEqualTo(DvvSet.empty());
    }
    for (String node : NODES) {
      for (AntiEntropy.Exchange e : run(cluster.antiEntropyRound(node)).exchanges()) {
        assertThat(e.bucketsDiffering()).as("%s's tree of %s saw the removal as %s's did", node, e.range(), e.peer())
            .isZero();
      }
    }
    roundsOf("n1", "n2", "n3");
    for (String node : NODES) {
      assertThat(set(node)).as("%s: no exchange brings it back", node).isEqualTo(DvvSet.empty());
      assertThat(readAll(node)).as("a read through %s", node).isEmpty();
    }
  }

  @Test
  void aTombstoneThatReachedThisNodeAfterAnExchangeFoundAPeerInSyncIsNotTakenAsHeldByThatPeer() {
    start();
    put("v");
    Context seen = read("n3");
    net.partition(Set.of("n3"), Set.of("n1", "n2"));
    run(cluster.store("n3").withQuorum(1, 1).deleteAsync(K, seen)); // n3 alone holds the tombstone
    net.runFor(BOUND.plusSeconds(1));
    net.heal();
    exchange("n1", "n2"); // in sync, both hold "v": after the tombstone was written, but without it
    exchange("n3", "n1"); // n1 gets the tombstone, older than the bound
    assertThat(set("n1").size()).as("n1 holds n3's tombstone").isEqualTo(1);
    exchange("n1", "n3"); // in sync: n1 knows n3 holds it, and its pass runs
    assertThat(set("n1").size()).as("n1 keeps it: its exchange with n2 found the bucket equal with another leaf")
        .isEqualTo(1);
    assertThat(live("n2")).as("n2 never got the delete").containsExactly("v");

    exchange("n1", "n2"); // repairs n2 and finds it in sync
    for (String node : NODES) {
      assertThat(set(node)).as("%s removed the record once n2 held the tombstone", node).isEqualTo(DvvSet.empty());
    }
    assertThat(readAll("n2")).isEmpty();
  }

  @Test
  void aTombstoneYoungerThanTheBoundStaysEvenWhenEveryReplicaHoldsIt() {
    start();
    put("v");
    run(cluster.store("n1").deleteAsync(K, read("n1")));
    net.runFor(Duration.ofMillis(100));
    roundsOf("n1");
    assertThat(set("n1").size()).as("in sync with both peers, but younger than the bound").isEqualTo(1);
    net.runFor(BOUND);
    roundsOf("n1");
    assertThat(set("n1")).as("older than the bound now").isEqualTo(DvvSet.empty());
  }

  @Test
  void aReplicaThatNeverAnswersLeavesOnlyTheGracePurgeWhichKeepsTheContext() {
    start();
    deleteWhileCutOff("n3");
    net.runFor(Duration.ofDays(1).plusMinutes(1)); // past the stores' grace of one day
    roundsOf("n1");
    assertThat(set("n1").size()).as("the rule keeps the tombstone: n3 never answered").isEqualTo(1);
    assertThat(run(cluster.localStore("n1").purgeTombstones(net.scheduler("n1").executor())))
        .as("the grace purge").isEqualTo(1);
    DvvSet<StoredValue> graced = set("n1");
    assertThat(graced.isEmpty()).as("the tombstone is gone").isTrue();
    assertThat(graced.context().isEmpty()).as("the context stays").isFalse();

    net.heal();
    roundsOf("n3", "n1", "n2", "n3");
    assertThat(readAll("n3")).as("n3's old value is covered by the kept context").isEmpty();
    assertThat(cluster.localStore("n3").read(K).isEmpty()).isTrue();
  }

  @Test
  void withoutTheRuleAReplicaThatMissedTheDeleteBringsTheValueBack() {
    start();
    deleteWhileCutOff("n3");
    net.runFor(BOUND.plusSeconds(1));
    for (String node : List.of("n1", "n2")) { // purging on age alone, as if every replica held the tombstone
      run(new dev.kvstore.core.internal.DeadKeys(cluster.localStore(node)).purge(net.now().toMillis(), (key, set) -> true,
          net.scheduler(node).executor()));
    }
    net.heal();
    roundsOf("n3");
    assertThat(readAll("n1")).as("the deleted value is back").containsExactly("v");
  }

  @Test
  void aPurgeRequestFromANodeThatDoesNotReplicateTheKeyIsRefusedAndRemovesNothing() {
    start();
    put("v");
    run(cluster.store("n1").deleteAsync(K, read("n1")));
    net.runFor(BOUND.plusSeconds(1));
    DvvSet<StoredValue> before = set("n1");
    var stranger = net.transport("x");
    stranger.start();
    var request = dev.kvstore.net.internal.proto.Envelope.newBuilder().setPurgeRequest(
        dev.kvstore.net.internal.proto.PurgeRequest.newBuilder().addKeys(dev.kvstore.net.internal.proto.DeadKey
            .newBuilder().setKey(com.google.protobuf.ByteString.copyFrom(K))
            .setSiblings(com.google.protobuf.ByteString.copyFrom(
                dev.kvstore.core.internal.SiblingCodec.encode(before)))));
    CompletableFuture<?> reply = stranger.request("n1", request, QUORUM.timeout());
    net.runUntil(reply::isDone, Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(reply::join)
        .hasMessageContaining("asked to purge a key that it and this node do not both replicate");
    assertThat(set("n1")).as("nothing removed").isEqualTo(before);
    stranger.close();
  }

  /** Puts "v" through n1, reads it, cuts {@code away} off and deletes through n1 (acknowledged by the other two). */
  private void deleteWhileCutOff(String away) {
    put("v");
    Context seen = read("n1");
    Set<String> rest = new java.util.TreeSet<>(NODES);
    rest.remove(away);
    net.partition(Set.of(away), rest);
    run(cluster.store("n1").deleteAsync(K, seen));
    net.runFor(Duration.ofMillis(500));
  }

  private void put(String value) {
    run(cluster.store("n1").putAsync(K, value.getBytes(StandardCharsets.UTF_8)));
    net.runFor(Duration.ofMillis(500)); // every replica has it
  }

  private Context read(String via) {
    return run(cluster.store(via).getAsync(K)).context();
  }

  private List<String> readAll(String via) {
    return run(cluster.store(via).withQuorum(0, QUORUM.n()).getAsync(K)).strings();
  }

  private List<String> live(String node) {
    return cluster.localStore(node).read(K).siblings().stream().filter(s -> !s.value().isTombstone())
        .map(s -> new String(s.value().value(), StandardCharsets.UTF_8)).toList();
  }

  private DvvSet<StoredValue> set(String node) {
    return cluster.localStore(node).read(K);
  }

  /** One anti-entropy round of each node in turn, each run to its end and its purge pass after it. */
  private void roundsOf(String... nodes) {
    for (String node : nodes) {
      run(cluster.antiEntropyRound(node));
      net.runFor(Duration.ofMillis(200));
    }
  }

  /** One anti-entropy exchange of {@code node} with {@code peer}, run to its end and its purge pass after it. */
  private void exchange(String node, String peer) {
    run(cluster.antiEntropyExchange(node, peer));
    net.runFor(Duration.ofMillis(200));
  }

  private <T> T run(CompletableFuture<T> f) {
    assertThat(net.runUntil(f::isDone, Duration.ofSeconds(30))).as("done within 30 virtual seconds").isTrue();
    return f.join();
  }
}
