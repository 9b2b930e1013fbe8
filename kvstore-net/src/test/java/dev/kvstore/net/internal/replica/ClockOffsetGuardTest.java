package dev.kvstore.net.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.core.Context;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.ring.Ring;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A version from a peer stamped more than the maximum offset (60 s here) ahead of the local clock is refused,
 * in a Replicate and in a read's answer, so it cannot drag the node's hybrid logical clock into the future;
 * one within the offset is taken. Three nodes on the simulated network, each store on the virtual clock.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ClockOffsetGuardTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Quorum QUORUM = new Quorum(3, 2, 2, Duration.ofMillis(300));
  private static final Duration MAX = Duration.ofSeconds(60);
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

  private final SimulatedNetwork net = SimulatedNetwork.create(3);
  private final InstantSource clock = () -> Instant.ofEpochSecond(1_700_000_000).plus(net.now());
  private final Map<String, LocalStore> locals = new LinkedHashMap<>();
  private final Map<String, KvStore> stores = new LinkedHashMap<>();
  private final List<Transport> transports = new ArrayList<>();

  @BeforeEach
  void startThreeNodes() {
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(2)));
    Ring ring = Ring.of(NODES);
    for (String id : NODES) {
      LocalStore local = LocalStore.open(KvStore.local().inMemory().nodeId(id).contextScope("sim").clock(clock)
          .random(new SplittableRandom(id.hashCode())).config());
      locals.put(id, local);
      Transport t = net.transport(id);
      transports.add(t);
      var scheduler = net.scheduler(id);
      Coordinator c = new Coordinator(id, local, ring, t, scheduler, new ClockOffsetGuard(clock, MAX));
      t.serve(new ReplicaService(id, c, QUORUM));
      t.start();
      stores.put(id, new ClusterStore(c, QUORUM, null, () -> false, scheduler.executor()));
    }
  }

  @AfterEach
  void stop() {
    transports.forEach(Transport::close);
    locals.values().forEach(LocalStore::close);
  }

  @Test
  void aReplicateStampedBeyondTheOffsetIsRefusedAndTheClockStays() {
    CompletableFuture<Envelope> refused = replicateFromRogue(MAX.plusSeconds(1), "future");
    assertThat(failureOf(refused)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("node rogue").hasMessageContaining("maximum offset 60000 ms");
    assertThat(locals.get("n1").read(KEY).isEmpty()).as("nothing merged").isTrue();

    long now = clock.millis();
    CompletableFuture<Context> put = stores.get("n1").putAsync(KEY, "local".getBytes(StandardCharsets.UTF_8), Context.empty());
    net.runUntil(put::isDone, Duration.ofSeconds(5));
    long stamped = locals.get("n1").read(KEY).siblings().get(0).value().time().physicalMillis();
    assertThat(stamped - now).as("n1's next version is stamped near its own clock").isLessThan(1000);
  }

  @Test
  void aReplicateWithinTheOffsetIsTaken() {
    CompletableFuture<Envelope> taken = replicateFromRogue(MAX.minusSeconds(1), "soon");
    net.runUntil(taken::isDone, Duration.ofSeconds(5));
    assertThat(taken).isCompleted();
    assertThat(locals.get("n1").read(KEY).size()).isOne();
  }

  @Test
  void aReadAnswerStampedBeyondTheOffsetCountsAsAFailedReplica() {
    locals.get("n2").mergeNow(KEY, futureSet(MAX.plusSeconds(30), "future")); // n2's store takes anything
    locals.get("n3").mergeNow(KEY, futureSet(Duration.ZERO, "present"));

    CompletableFuture<Versions> read = stores.get("n1").getAsync(KEY);
    net.runUntil(read::isDone, Duration.ofSeconds(5));
    net.runFor(Duration.ofSeconds(1)); // read repair, if any

    assertThat(read.join().strings()).as("n2's answer was refused; n1 and n3 answered").containsExactly("present");
    assertThat(locals.get("n1").read(KEY).values()).as("read repair did not carry the future version to n1")
        .noneMatch(v -> new String(v.value(), StandardCharsets.UTF_8).equals("future"));
  }

  @Test
  void theGuardRefusesANonPositiveOffset() {
    assertThatThrownBy(() -> new ClockOffsetGuard(clock, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxClockOffset");
  }

  @Test
  void aNodeBuilderRefusesAnOutOfRangeMaxClockOffset() {
    var builder = dev.kvstore.net.KvNode.builder();
    for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofDays(2)}) {
      assertThatThrownBy(() -> builder.maxClockOffset(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxClockOffset must be between 1 ms and 1 day");
    }
    assertThat(builder.maxClockOffset(Duration.ofSeconds(5))).isSameAs(builder);
  }

  private CompletableFuture<Envelope> replicateFromRogue(Duration ahead, String value) {
    Transport rogue = net.transport("rogue");
    transports.add(rogue);
    rogue.start();
    CompletableFuture<Envelope> reply = rogue.request("n1", Envelope.newBuilder().setReplicate(Replicate.newBuilder()
        .setKey(ByteString.copyFrom(KEY)).setSiblings(ByteString.copyFrom(SiblingCodec.encode(futureSet(ahead, value))))),
        Duration.ofSeconds(1));
    net.runUntil(reply::isDone, Duration.ofSeconds(5));
    return reply;
  }

  private DvvSet<StoredValue> futureSet(Duration ahead, String value) {
    HlcTimestamp at = new HlcTimestamp(clock.millis() + ahead.toMillis(), 0);
    return DvvSet.<StoredValue>empty().update(VectorClock.empty(),
        StoredValue.of(value.getBytes(StandardCharsets.UTF_8), at), value.equals("present") ? "n3.x" : "rogue.x");
  }

  private static Throwable failureOf(CompletableFuture<?> f) {
    return f.handle((v, e) -> dev.kvstore.net.internal.transport.ErrorCodes.unwrap(e)).join();
  }
}
