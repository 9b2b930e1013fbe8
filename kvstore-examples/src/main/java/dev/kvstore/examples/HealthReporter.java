package dev.kvstore.examples;

import dev.kvstore.net.KvNode;
import dev.kvstore.net.NodeHealth;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a running node's {@link NodeHealth} (peers up or down, hints held, delivered and dropped) at INFO every
 * period, but only when something other than the peers' phi changed since the last line, so a quiet node's log
 * stays quiet. {@code kvstore node} runs one, every 10 seconds.
 */
final class HealthReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthReporter.class);

  private final KvNode node;
  private final ScheduledExecutorService timer;
  private String last = ""; // confined to the timer thread

  HealthReporter(KvNode node, Duration every) {
    this.node = node;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kvstore-" + node.nodeId() + "-health");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::report, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void report() {
    try {
      NodeHealth health = node.health();
      String now = shape(health);
      if (!now.equals(last)) {
        last = now;
        log.info("{}", health);
      }
    } catch (RuntimeException e) {
      log.debug("no health report this time: {}", e.toString());
    }
  }

  /** What a report line is about, without the ever-moving phi: two healths with equal shapes say the same. */
  static String shape(NodeHealth h) {
    StringBuilder b = new StringBuilder();
    h.peers().forEach(p -> b.append(p.node()).append(p.up() ? "+" : "-").append(p.writeRefusal()).append(';'));
    h.hintsHeld().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue().keys()).append(';'));
    return b.append(h.hintsDelivered()).append('/').append(h.hintsDropped()).toString();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
