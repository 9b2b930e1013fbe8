package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.internal.BlockingGuard;
import dev.kvstore.core.internal.Futures;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guard the whole suite runs with: the event loops are marked, and waiting on one is caught. */
@Timeout(30)
class BlockingGuardTest {
  private final EventLoopGroup group = EventLoops.best().newGroup(1, "guard-test");

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    BlockingGuard.drainViolations(); // this test made them on purpose
  }

  @Test
  void theBuildRunsTestsWithTheGuardOn() {
    assertThat(BlockingGuard.enabled()).as("-Dkvstore.blockingGuard=true in the surefire argLine").isTrue();
  }

  @Test
  void waitingOnAFutureOnAnEventLoopIsRefusedAndRecorded() throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    group.next().execute(() -> {
      try {
        Futures.join(new CompletableFuture<>()); // would hang the loop forever without the guard
        thrown.complete(null);
      } catch (IllegalStateException e) {
        thrown.complete(e);
      }
    });
    assertThat(thrown.get(10, TimeUnit.SECONDS)).hasMessageContaining("waiting for a future")
        .hasMessageContaining("must not block");
    assertThat(BlockingGuard.drainViolations()).singleElement().asString().contains("guard-test");
  }

  @Test
  void aCompletedFutureAndAnUnmarkedThreadArePermitted() throws Exception {
    CompletableFuture<String> onLoop = new CompletableFuture<>();
    group.next().execute(() -> onLoop.complete(Futures.join(CompletableFuture.completedFuture("done"))));
    assertThat(onLoop.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(BlockingGuard.isNonBlockingThread()).as("the test thread is not marked").isFalse();
    BlockingGuard.checkMayBlock("a test on its own thread");
    assertThat(BlockingGuard.drainViolations()).isEmpty();
  }

  @Test
  void aDiskReadOnAnEventLoopIsRefusedAndAPermittedBlockEndsWithItsScope(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (dev.kvstore.core.internal.engine.RocksDbEngine engine =
        dev.kvstore.core.internal.engine.RocksDbEngine.open(dir)) {
      CompletableFuture<String> outcome = new CompletableFuture<>();
      group.next().execute(() -> {
        try {
          BlockingGuard.permitted("a test", () -> BlockingGuard.checkMayBlock("inside the permitted scope"));
          engine.get(new byte[] {1}); // outside it again: a read that may go to disk
          outcome.complete("not refused");
        } catch (IllegalStateException e) {
          outcome.complete(e.getMessage());
        }
      });
      assertThat(outcome.get(10, TimeUnit.SECONDS)).contains("RocksDB read");
      assertThat(BlockingGuard.drainViolations()).as("only the read outside the scope").hasSize(1);
    }
  }
}
