package dev.kvstore.net.internal.transport;

import dev.kvstore.net.internal.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/** The transport contract on the simulated network, in virtual time. */
@Timeout(60)
class SimulatedTransportTest extends TransportContractTest {
  private SimulatedNetwork network;

  @BeforeEach
  void createNetwork() {
    network = SimulatedNetwork.create(7);
  }

  @Override
  protected Transport start(String node, RequestHandler handler) {
    Transport transport = network.transport(node);
    transport.serve(handler);
    transport.start();
    return transport;
  }

  @Override
  protected <T> T await(CompletableFuture<T> future) {
    network.runUntil(future::isDone, Duration.ofMinutes(10));
    if (!future.isDone()) {
      throw new AssertionError("not done after 10 virtual minutes; network " + network);
    }
    return future.join();
  }

  @Override
  protected Duration shortTimeout() {
    return Duration.ofMillis(300);
  }
}
