package dev.kvstore.net.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.ReadReply;
import dev.kvstore.clock.testing.Seeds;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Same seed, same history: a busy scenario (lossy, duplicating, reordering links; handlers that answer later
 * and forward to other nodes; a partition and a crash with restart) replays to the identical trace and
 * outcomes, over many seeds; different seeds give different histories.
 */
@Timeout(120)
class SimulationDeterminismTest {
  private static final List<String> NODES = List.of("a", "b", "c", "d");

  /** The trace and every request's outcome of one run. */
  private record Run(List<String> trace, List<String> outcomes) {}

  private static Run scenario(long seed) {
    SimulatedNetwork net = SimulatedNetwork.create(seed);
    SplittableRandom workload = new SplittableRandom(seed ^ 0x5DEECE66DL);
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(20))
        .withDropRate(0.1).withDuplicateRate(0.1));
    Map<String, Transport> transports = new TreeMap<>();
    for (String id : NODES) {
      Transport transport = net.transport(id);
      transport.serve(request -> answer(net, transports, id, request, workload));
      transport.start();
      transports.put(id, transport);
    }
    List<CompletableFuture<Envelope>> replies = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String from = NODES.get(workload.nextInt(NODES.size()));
      String to = NODES.get(workload.nextInt(NODES.size()));
      String key = "k" + i;
      net.scheduler().schedule(Duration.ofMillis(workload.nextInt(600)), () -> {
        if (net.isUp(from)) {
          replies.add(transports.get(from).request(to, read(key, 2), Duration.ofMillis(150)));
        }
      });
    }
    net.scheduler().schedule(Duration.ofMillis(200), () -> net.partition(Set.of("a", "b"), Set.of("c", "d")));
    net.scheduler().schedule(Duration.ofMillis(300), () -> net.crash("d"));
    net.scheduler().schedule(Duration.ofMillis(400), net::heal);
    net.scheduler().schedule(Duration.ofMillis(500), () -> net.restart("d"));
    net.runUntilIdle();
    List<String> outcomes = replies.stream().map(f -> f.handle((reply, failure) -> failure == null
        ? "ok " + reply.getReadReply().getSiblings().toStringUtf8() + " L" + reply.getLamport()
        : failure.getClass().getSimpleName()).join()).toList();
    return new Run(net.trace(), outcomes);
  }

  /** Answers after a random delay, sometimes by forwarding the read (one hop less) to another node. */
  private static CompletableFuture<Envelope.Builder> answer(SimulatedNetwork net, Map<String, Transport> transports,
      String self, Envelope request, SplittableRandom workload) {
    int hops = request.getRead().getKey().byteAt(0);
    String key = request.getRead().getKey().substring(1).toStringUtf8();
    CompletableFuture<Envelope.Builder> answer = new CompletableFuture<>();
    if (hops > 0 && workload.nextBoolean()) {
      String next = NODES.get(workload.nextInt(NODES.size()));
      transports.get(self).request(next, read(key, hops - 1), Duration.ofMillis(60))
          .whenComplete((reply, failure) -> answer.complete(reply(self + (failure == null ? "+" : "!") + key)));
    } else {
      net.scheduler(self).schedule(Duration.ofMillis(workload.nextInt(30)), () -> answer.complete(reply(self + key)));
    }
    return answer;
  }

  private static Envelope.Builder read(String key, int hops) {
    return Envelope.newBuilder().setRead(Read.newBuilder()
        .setKey(ByteString.copyFrom(new byte[] {(byte) hops}).concat(ByteString.copyFromUtf8(key))));
  }

  private static Envelope.Builder reply(String value) {
    return Envelope.newBuilder().setReadReply(ReadReply.newBuilder().setSiblings(ByteString.copyFromUtf8(value)));
  }

  @Test
  void sameSeedReplaysTheSameTraceAndOutcomes() {
    Seeds.forEach(200, seed -> {
      Run first = scenario(seed);
      Run second = scenario(seed);

      assertThat(second.trace()).isEqualTo(first.trace());
      assertThat(second.outcomes()).isEqualTo(first.outcomes());
    });
  }

  @Test
  void scenarioExercisesEveryFault() {
    Run run = scenario(3);

    assertThat(run.trace()).anyMatch(line -> line.endsWith(" lost"))
        .anyMatch(line -> line.contains("send twice"))
        .anyMatch(line -> line.contains("cut by partition"))
        .anyMatch(line -> line.contains("crash d"))
        .anyMatch(line -> line.contains("timeout"));
    assertThat(run.outcomes()).anyMatch(o -> o.startsWith("ok"))
        .anyMatch(o -> o.equals("PeerTimeoutException"));
    assertThat(run.trace()).allMatch(line -> line.matches("t=\\d+ .+"));
  }

  @Test
  void differentSeedsGiveDifferentHistories() {
    Set<List<String>> traces = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      traces.add(scenario(seed).trace());
    }

    assertThat(traces).hasSize(50);
  }
}
