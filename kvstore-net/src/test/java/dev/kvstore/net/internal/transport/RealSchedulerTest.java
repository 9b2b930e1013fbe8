package dev.kvstore.net.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The production scheduler: delayed tasks, executor work, named threads, clean close. */
@Timeout(30)
class RealSchedulerTest {
  private final RealScheduler scheduler = RealScheduler.create("real-test", 2);

  @AfterEach
  void close() {
    scheduler.close();
  }

  @Test
  void scheduledTaskRunsNoEarlierThanItsDelay() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicLong elapsed = new AtomicLong();
    long start = scheduler.nanoTime();

    scheduler.schedule(Duration.ofMillis(50), () -> {
      elapsed.set(scheduler.nanoTime() - start);
      ran.countDown();
    });

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(elapsed.get()).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void executorRunsTasksOnNamedThreadsAndSurvivesAFailingTask() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    StringBuilder thread = new StringBuilder();

    scheduler.executor().execute(() -> {
      throw new IllegalStateException("expected in this test");
    });
    scheduler.executor().execute(() -> {
      thread.append(Thread.currentThread().getName());
      ran.countDown();
    });

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(thread.toString()).startsWith("real-test-");
  }

  @Test
  void cancelledTaskNeverRuns() throws InterruptedException {
    AtomicBoolean ran = new AtomicBoolean();
    Cancellable task = scheduler.schedule(Duration.ofMillis(100), () -> ran.set(true));
    CountDownLatch later = new CountDownLatch(1);
    scheduler.schedule(Duration.ofMillis(300), later::countDown);

    task.cancel();

    assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).isFalse();
  }

  @Test
  void closeStopsItsThreadsAndRefusesWork() {
    scheduler.executor().execute(() -> { });

    scheduler.close();

    assertThatThrownBy(() -> scheduler.executor().execute(() -> { }))
        .isInstanceOf(RejectedExecutionException.class);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("real-test-")));
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> RealScheduler.create("x", 0)).hasMessageContaining("threads must be in [1, 1024]");
    assertThatThrownBy(() -> RealScheduler.create(" ", 1)).hasMessageContaining("name");
    assertThatThrownBy(() -> scheduler.schedule(Duration.ofMillis(-1), () -> { })).hasMessageContaining("delay");
  }
}
