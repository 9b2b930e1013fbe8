package dev.kvstore.net.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.HeartbeatAck;
import dev.kvstore.net.internal.proto.Read;
import dev.kvstore.net.internal.proto.ReplicateAck;
import dev.kvstore.net.internal.sim.LinkConfig;
import dev.kvstore.net.internal.sim.SimulatedNetwork;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The phi-accrual detector over the simulated network, in virtual time. */
class FailureDetectorTest {
  private static final Duration INTERVAL = DetectorOptions.DEFAULTS.heartbeatInterval();

  private final SimulatedNetwork net = SimulatedNetwork.create(42);
  private final List<String> transitions = new ArrayList<>();
  private final List<Transport> transports = new ArrayList<>();
  private FailureDetector detector;
  private int heartbeatsAtN2;
  private String n2Refusal = "";
  private int otherRequestsAtN2;

  /** n1 runs a detector of n2; n2 is a bare transport that counts what it is sent and answers everything. */
  private void start() {
    Transport n2 = net.transport("n2");
    n2.serve(request -> {
      if (request.getBodyCase() == Envelope.BodyCase.HEARTBEAT) {
        heartbeatsAtN2++;
        return CompletableFuture.completedFuture(Envelope.newBuilder().setHeartbeatAck(
            HeartbeatAck.newBuilder().setWriteRefusal(n2Refusal)));
      }
      otherRequestsAtN2++;
      return CompletableFuture.completedFuture(Envelope.newBuilder().setReplicateAck(ReplicateAck.getDefaultInstance()));
    });
    n2.start();
    transports.add(n2);
    detector = new FailureDetector("n1", List.of("n1", "n2"), net.scheduler("n1"), DetectorOptions.DEFAULTS);
    Transport n1 = detector.observe(net.transport("n1"));
    n1.serve(request -> CompletableFuture.failedFuture(new IllegalStateException("n1 serves nothing here")));
    n1.start();
    transports.add(n1);
    detector.addListener((node, up) -> transitions.add(node + (up ? " UP" : " DOWN") + " at " + net.now().toMillis()));
    detector.start();
  }

  @AfterEach
  void stop() {
    if (detector != null) {
      detector.close();
    }
    transports.forEach(Transport::close);
  }

  @Test
  void steadyHeartbeatsKeepPhiLow() {
    start();
    double highest = 0;
    for (int i = 0; i < 600; i++) { // one virtual minute
      net.runFor(Duration.ofMillis(100));
      highest = Math.max(highest, detector.phi("n2"));
      assertThat(detector.isUp("n2")).isTrue();
    }
    assertThat(highest).as("phi over a minute of steady heartbeats").isLessThan(1.0);
    assertThat(transitions).isEmpty();
  }

  @Test
  void aSilentPeerGoesDownWithinTheExpectedTimeAndComesBackUp() {
    start();
    net.runFor(Duration.ofSeconds(30));
    net.crash("n2");
    long crashedAt = net.now().toMillis();
    while (detector.isUp("n2") && net.now().toMillis() - crashedAt < 30_000) {
      net.runFor(Duration.ofMillis(50));
    }
    long detectedAfter = net.now().toMillis() - crashedAt;
    // Intervals of 500 ms, 1 s acceptable pause, 100 ms least deviation: phi passes 8 about 2 s after the
    // last heartbeat, seen at the next check (every 500 ms).
    assertThat(detectedAfter).as("time from the crash to DOWN").isBetween(1_500L, 3_500L);
    assertThat(detector.phi("n2")).isGreaterThanOrEqualTo(DetectorOptions.DEFAULTS.phiThreshold());
    assertThat(transitions).hasSize(1).first().asString().startsWith("n2 DOWN");

    net.runFor(Duration.ofSeconds(20));
    assertThat(transitions).as("a down peer is reported once, not every check").hasSize(1);

    net.restart("n2");
    net.runFor(INTERVAL.multipliedBy(2));
    assertThat(detector.isUp("n2")).as("the first answer after the restart brings it back").isTrue();
    assertThat(transitions).hasSize(2).last().asString().startsWith("n2 UP");
  }

  @Test
  void aJitteryLossyLinkDoesNotFlap() {
    net.linkDefaults(LinkConfig.randomDelay(Duration.ofMillis(1), Duration.ofMillis(300)).withDropRate(0.02));
    start();
    double highest = 0;
    for (int i = 0; i < 6000; i++) { // ten virtual minutes
      net.runFor(Duration.ofMillis(100));
      highest = Math.max(highest, detector.phi("n2"));
    }
    assertThat(transitions).as("transitions on a link with up to 300 ms jitter and 2% loss").isEmpty();
    assertThat(highest).as("the highest phi seen").isLessThan(DetectorOptions.DEFAULTS.phiThreshold());
  }

  @Test
  void aBusyLinkCarriesNoHeartbeatsAndAnIdleOneAtMostOnePerInterval() {
    start();
    net.runFor(Duration.ofSeconds(10).plusMillis(10)); // the 10 ms: the last heartbeat's 1 ms flight
    int idleHeartbeats = heartbeatsAtN2;
    assertThat(idleHeartbeats).as("heartbeats in 10 s idle").isBetween(18, 20);

    Transport n1 = transports.get(1);
    for (int i = 0; i < 100; i++) { // 10 s of traffic, a request every 100 ms
      n1.request("n2", Envelope.newBuilder().setRead(Read.getDefaultInstance()), Duration.ofSeconds(1));
      net.runFor(Duration.ofMillis(100));
    }
    assertThat(otherRequestsAtN2).isEqualTo(100);
    assertThat(heartbeatsAtN2 - idleHeartbeats).as("heartbeats while requests flow").isZero();
    assertThat(transitions).isEmpty();
  }

  @Test
  void aPeerThatTakesNoWritesIsTreatedAsDownUntilItTakesThemAgain() {
    start();
    net.runFor(Duration.ofSeconds(5));
    n2Refusal = "the write-ahead log failed: No space left on device";
    net.runFor(INTERVAL.multipliedBy(2));
    assertThat(detector.isUp("n2")).as("a peer whose heartbeat answer refuses writes").isFalse();
    assertThat(detector.view()).singleElement().satisfies(p -> {
      assertThat(p.up()).as("still heard from").isTrue();
      assertThat(p.writeRefusal()).isEqualTo(n2Refusal);
    });
    assertThat(transitions).hasSize(1).first().asString().startsWith("n2 DOWN");

    n2Refusal = "";
    net.runFor(INTERVAL.multipliedBy(2));
    assertThat(detector.isUp("n2")).isTrue();
    assertThat(transitions).hasSize(2).last().asString().startsWith("n2 UP");
  }
}
