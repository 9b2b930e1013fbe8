package dev.kvstore.net.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.ReadReply;
import dev.kvstore.net.internal.transport.Cancellable;
import dev.kvstore.net.internal.transport.PeerTimeoutException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Virtual time, faults and crash semantics of the simulated network (determinism: SimulationDeterminismTest). */
@Timeout(60)
class SimulatedNetworkTest {
  private static final Duration TIMEOUT = Duration.ofMillis(100);
  private final SimulatedNetwork net = SimulatedNetwork.create(1234);

  private Transport node(String id, RequestHandler handler) {
    Transport transport = net.transport(id);
    transport.serve(handler);
    transport.start();
    return transport;
  }

  private Transport echoNode(String id, List<String> arrivals) {
    return node(id, request -> {
      String key = request.getRead().getKey().toStringUtf8();
      arrivals.add(key);
      return CompletableFuture.completedFuture(Envelope.newBuilder()
          .setReadReply(ReadReply.newBuilder().setSiblings(ByteString.copyFromUtf8(key))));
    });
  }

  private static Envelope.Builder read(String key) {
    return Envelope.newBuilder().setRead(Read.newBuilder().setKey(ByteString.copyFromUtf8(key)));
  }

  private static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    return future.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
  }

  // ---- virtual time

  @Test
  void tasksRunInTimeOrderAndTiesInSchedulingOrder() {
    Scheduler scheduler = net.scheduler();
    List<String> ran = new ArrayList<>();
    scheduler.schedule(Duration.ofMillis(20), () -> ran.add("20ms@" + net.now().toMillis()));
    scheduler.schedule(Duration.ofMillis(10), () -> ran.add("10ms-first@" + net.now().toMillis()));
    scheduler.schedule(Duration.ofMillis(10), () -> ran.add("10ms-second@" + net.now().toMillis()));
    scheduler.executor().execute(() -> ran.add("now@" + net.now().toMillis()));

    net.runUntilIdle();

    assertThat(ran).containsExactly("now@0", "10ms-first@10", "10ms-second@10", "20ms@20");
    assertThat(scheduler.nanoTime()).isEqualTo(Duration.ofMillis(20).toNanos());
  }

  @Test
  void cancelledTaskDoesNotRun() {
    AtomicInteger runs = new AtomicInteger();
    Cancellable task = net.scheduler().schedule(Duration.ofSeconds(1), runs::incrementAndGet);

    task.cancel();
    net.runUntilIdle();

    assertThat(runs).hasValue(0);
  }

  @Test
  void runForAdvancesTheClockExactlyAndLeavesLaterEvents() {
    AtomicInteger runs = new AtomicInteger();
    net.scheduler().schedule(Duration.ofMillis(50), runs::incrementAndGet);
    net.scheduler().schedule(Duration.ofMillis(150), runs::incrementAndGet);

    net.runFor(Duration.ofMillis(100));

    assertThat(net.now()).isEqualTo(Duration.ofMillis(100));
    assertThat(runs).hasValue(1);
  }

  @Test
  void runUntilStopsAsSoonAsTheConditionHoldsOrAtTheVirtualLimit() {
    AtomicInteger runs = new AtomicInteger();
    for (int i = 1; i <= 5; i++) {
      net.scheduler().schedule(Duration.ofMillis(i), runs::incrementAndGet);
    }

    assertThat(net.runUntil(() -> runs.get() == 2, Duration.ofSeconds(1))).isTrue();
    assertThat(net.now()).isEqualTo(Duration.ofMillis(2));
    assertThat(net.runUntil(() -> runs.get() == 99, Duration.ofSeconds(1))).isFalse();
    assertThat(net.now()).isEqualTo(Duration.ofMillis(1002));
  }

  @Test
  void requestTimesOutAtExactlyItsVirtualTimeout() {
    node("b", request -> new CompletableFuture<>());
    Transport a = echoNode("a", new ArrayList<>());
    AtomicReference<Duration> failedAt = new AtomicReference<>();

    CompletableFuture<Envelope> reply = a.request("b", read("k"), TIMEOUT);
    reply.whenComplete((r, e) -> failedAt.set(net.now()));
    net.runUntilIdle();

    assertThat(failure(reply)).isInstanceOf(PeerTimeoutException.class);
    assertThat(failedAt.get()).isEqualTo(TIMEOUT);
  }

  @Test
  void replyArrivesAfterTheTwoLinkDelays() {
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(3)));
    echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    AtomicReference<Duration> doneAt = new AtomicReference<>();

    a.request("b", read("k"), TIMEOUT).whenComplete((r, e) -> doneAt.set(net.now()));
    net.runUntilIdle();

    assertThat(doneAt.get()).isEqualTo(Duration.ofMillis(6));
  }

  // ---- faults

  @Test
  void lossyLinkLosesSomeRequestsAndDeliversOthers() {
    List<String> arrivals = new ArrayList<>();
    echoNode("b", arrivals);
    Transport a = echoNode("a", new ArrayList<>());
    net.link("a", "b", LinkConfig.RELIABLE.withDropRate(0.5));
    List<CompletableFuture<Envelope>> replies = new ArrayList<>();

    for (int i = 0; i < 200; i++) {
      replies.add(a.request("b", read("k" + i), TIMEOUT));
    }
    net.runUntilIdle();

    long answered = replies.stream().filter(f -> !f.isCompletedExceptionally()).count();
    assertThat(answered).isBetween(60L, 140L).isEqualTo(arrivals.size());
    assertThat(replies).allMatch(CompletableFuture::isDone);
    assertThat(net.trace()).anyMatch(line -> line.endsWith(" lost"));
  }

  @Test
  void fullyLossyLinkOnlyAffectsItsDirection() {
    echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    Transport c = echoNode("c", new ArrayList<>());
    net.link("a", "b", LinkConfig.RELIABLE.withDropRate(1));

    CompletableFuture<Envelope> aToB = a.request("b", read("k"), TIMEOUT);
    CompletableFuture<Envelope> cToB = c.request("b", read("k"), TIMEOUT);
    net.runUntilIdle();

    assertThat(failure(aToB)).isInstanceOf(PeerTimeoutException.class);
    assertThat(cToB).isCompleted().isNotCompletedExceptionally();
  }

  @Test
  void duplicatedRequestIsHandledTwiceButCompletesOnce() {
    List<String> arrivals = new ArrayList<>();
    echoNode("b", arrivals);
    Transport a = echoNode("a", new ArrayList<>());
    net.linkDefaults(LinkConfig.RELIABLE.withDuplicateRate(1));
    AtomicInteger completions = new AtomicInteger();

    a.request("b", read("dup"), TIMEOUT).whenComplete((r, e) -> completions.incrementAndGet());
    net.runUntilIdle();

    assertThat(arrivals).containsExactly("dup", "dup");
    assertThat(completions).hasValue(1);
    assertThat(net.trace()).anyMatch(line -> line.contains("send twice"))
        .anyMatch(line -> line.contains("ignored (no such pending request)"));
  }

  @Test
  void randomDelaysReorderMessages() {
    List<String> arrivals = new ArrayList<>();
    echoNode("b", arrivals);
    Transport a = echoNode("a", new ArrayList<>());
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(20)));
    List<String> sent = new ArrayList<>();

    for (int i = 0; i < 50; i++) {
      sent.add("k" + i);
      a.request("b", read("k" + i), Duration.ofSeconds(1));
    }
    net.runUntilIdle();

    assertThat(arrivals).containsExactlyInAnyOrderElementsOf(sent).isNotEqualTo(sent);
  }

  @Test
  void partitionCutsBothDirectionsUntilHealed() {
    Transport b = echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    Transport c = echoNode("c", new ArrayList<>());
    net.partition(Set.of("a"), Set.of("b"));

    CompletableFuture<Envelope> aToB = a.request("b", read("k"), TIMEOUT);
    CompletableFuture<Envelope> bToA = b.request("a", read("k"), TIMEOUT);
    CompletableFuture<Envelope> cToA = c.request("a", read("k"), TIMEOUT);
    net.runUntilIdle();
    net.heal();
    CompletableFuture<Envelope> afterHeal = a.request("b", read("k"), TIMEOUT);
    net.runUntilIdle();

    assertThat(failure(aToB)).isInstanceOf(PeerTimeoutException.class);
    assertThat(failure(bToA)).isInstanceOf(PeerTimeoutException.class);
    assertThat(cToA).isCompleted().isNotCompletedExceptionally();
    assertThat(afterHeal).isCompleted().isNotCompletedExceptionally();
    assertThat(net.trace()).anyMatch(line -> line.contains("cut by partition"));
  }

  @Test
  void partitionStartedWhileARequestIsInFlightLosesIt() {
    echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(10)));

    CompletableFuture<Envelope> reply = a.request("b", read("k"), TIMEOUT);
    net.runFor(Duration.ofMillis(5));
    net.partition(Set.of("a"), Set.of("b"));
    net.runUntilIdle();

    assertThat(failure(reply)).isInstanceOf(PeerTimeoutException.class);
  }

  @Test
  void requestToACrashedNodeIsRefusedAfterALinkRoundTripNotATimeout() {
    echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    net.crash("b");
    AtomicReference<Duration> failedAt = new AtomicReference<>();

    CompletableFuture<Envelope> reply = a.request("b", read("k"), Duration.ofSeconds(5));
    reply.whenComplete((r, e) -> failedAt.set(net.now()));
    net.runUntilIdle();

    assertThat(failure(reply)).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("node b is down");
    assertThat(failedAt.get()).isEqualTo(Duration.ofMillis(2));
  }

  @Test
  void crashedNodeLosesItsTimersAndPendingRequestsAndRefusesToSend() {
    node("c", request -> new CompletableFuture<>());
    Transport b = echoNode("b", new ArrayList<>());
    echoNode("a", new ArrayList<>());
    AtomicInteger timerRuns = new AtomicInteger();
    net.scheduler("b").schedule(Duration.ofSeconds(1), timerRuns::incrementAndGet);
    CompletableFuture<Envelope> pending = b.request("c", read("k"), Duration.ofSeconds(5));
    net.runFor(Duration.ofMillis(10));

    net.crash("b");
    net.scheduler("b").schedule(Duration.ofMillis(1), timerRuns::incrementAndGet);
    net.runUntilIdle();

    assertThat(timerRuns).hasValue(0);
    assertThat(failure(pending)).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("crashed");
    assertThat(failure(b.request("a", read("k"), TIMEOUT))).isInstanceOf(PeerUnavailableException.class);
    assertThat(net.isUp("b")).isFalse();
  }

  @Test
  void messagesInFlightFromACrashedNodeAreDropped() {
    List<String> arrivals = new ArrayList<>();
    echoNode("a", arrivals);
    Transport b = echoNode("b", new ArrayList<>());
    net.linkDefaults(LinkConfig.fixedDelay(Duration.ofMillis(10)));

    b.request("a", read("from-b"), TIMEOUT);
    net.runFor(Duration.ofMillis(5));
    net.crash("b");
    net.runUntilIdle();

    assertThat(arrivals).isEmpty();
  }

  @Test
  void replyOfAHandlerThatOutlivesACrashIsNotSent() {
    List<CompletableFuture<Envelope.Builder>> answers = new ArrayList<>();
    node("b", request -> {
      CompletableFuture<Envelope.Builder> answer = new CompletableFuture<>();
      answers.add(answer);
      return answer;
    });
    Transport a = echoNode("a", new ArrayList<>());
    CompletableFuture<Envelope> reply = a.request("b", read("k"), TIMEOUT);
    net.runFor(Duration.ofMillis(5));

    net.crash("b");
    net.restart("b");
    answers.get(0).complete(Envelope.newBuilder().setReadReply(ReadReply.getDefaultInstance()));
    net.runUntilIdle();

    assertThat(failure(reply)).isInstanceOf(PeerTimeoutException.class);
    assertThat(net.trace()).anyMatch(line -> line.contains("reply dropped"));
  }

  @Test
  void restartedNodeServesAgain() {
    echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    net.crash("b");
    net.restart("b");

    CompletableFuture<Envelope> reply = a.request("b", read("again"), TIMEOUT);
    net.runUntilIdle();

    assertThat(reply.join().getReadReply().getSiblings().toStringUtf8()).isEqualTo("again");
    assertThat(net.isUp("b")).isTrue();
  }

  @Test
  void closedNodeCanBeReplacedByAFreshTransport() {
    Transport first = echoNode("b", new ArrayList<>());
    Transport a = echoNode("a", new ArrayList<>());
    assertThatThrownBy(() -> net.transport("b")).isInstanceOf(IllegalStateException.class);

    first.close();
    CompletableFuture<Envelope> whileGone = a.request("b", read("k"), TIMEOUT);
    List<String> arrivals = new ArrayList<>();
    echoNode("b", arrivals);
    CompletableFuture<Envelope> afterwards = a.request("b", read("new"), TIMEOUT);
    net.runUntilIdle();

    assertThat(failure(whileGone)).isInstanceOf(PeerUnavailableException.class);
    assertThat(afterwards).isCompleted().isNotCompletedExceptionally();
    assertThat(arrivals).containsExactly("new");
  }

  // ---- misuse

  @Test
  void anotherThreadIsRefused() throws Exception {
    Transport a = echoNode("a", new ArrayList<>());
    AtomicReference<Throwable> thrown = new AtomicReference<>();

    Thread other = new Thread(() -> {
      try {
        a.request("a", read("k"), TIMEOUT);
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    other.start();
    other.join();

    assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined to thread");
  }

  @Test
  void invalidFaultsAreRejected() {
    assertThatThrownBy(() -> LinkConfig.RELIABLE.withDropRate(1.5)).hasMessageContaining("dropRate");
    assertThatThrownBy(() -> LinkConfig.randomDelay(Duration.ofMillis(5), Duration.ofMillis(1)))
        .hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> new LinkConfig(Duration.ofMillis(-1), Duration.ZERO, 0, 0))
        .hasMessageContaining("minDelay");
    assertThatThrownBy(() -> net.partition(Set.of("a"), Set.of("a", "b"))).hasMessageContaining("disjoint");
    assertThatThrownBy(() -> net.crash("ghost")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> net.runFor(Duration.ofMillis(-1))).hasMessageContaining("duration");
  }
}
