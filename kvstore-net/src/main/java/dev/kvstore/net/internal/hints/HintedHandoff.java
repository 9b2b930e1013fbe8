package dev.kvstore.net.internal.hints;

import com.google.protobuf.ByteString;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.net.internal.health.PeerHealth;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Replicate;
import dev.kvstore.net.internal.transport.Scheduler;
import dev.kvstore.net.internal.transport.TimerSlot;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the hints this node holds: in rounds, on the worker pool, for each target that is up, at most a
 * batch of hints at a time, each sent as a {@code Replicate} (the target merges it by DVV sync and acks once it
 * is durable), then removed here. A round that found a full batch and delivered some of it is followed at once
 * by the next, else the next comes after the interval, or as soon as a target comes up. Hints older than the
 * window are dropped instead, with one log line per batch. Everything is in the hint store until acknowledged,
 * so delivery resumes where it stopped after a restart of either side. Thread-safe.
 */
public final class HintedHandoff implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);

  private final List<String> targets;
  private final HintStore store;
  private final Transport transport;
  private final Scheduler scheduler;
  private final PeerHealth health;
  private final HandoffOptions options;
  private final java.util.function.LongSupplier wallMillis;
  private final Duration requestTimeout;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final TimerSlot timer;

  /**
   * Delivery of {@code store}'s hints to {@code peers} (this node excluded) through {@code transport}, when
   * {@code health} says the target is up; ages are measured on {@code wallMillis} (ms since the epoch).
   */
  public HintedHandoff(String localNode, Collection<String> peers, HintStore store, Transport transport,
      Scheduler scheduler, PeerHealth health, HandoffOptions options, java.util.function.LongSupplier wallMillis, Duration requestTimeout) {
    this.targets = peers.stream().filter(p -> !p.equals(localNode)).toList();
    this.store = store;
    this.transport = transport;
    this.scheduler = scheduler;
    this.timer = new TimerSlot(scheduler);
    this.health = health;
    this.options = options;
    this.wallMillis = wallMillis;
    this.requestTimeout = requestTimeout;
  }

  /** Starts the rounds. */
  public void start() {
    arm(options.interval());
  }

  /** Starts a round soon: a target came up. */
  public void wake() {
    arm(Duration.ZERO);
  }

  /** Hints delivered (acknowledged by their target and removed here) since this node started. */
  public long delivered() {
    return delivered.get();
  }

  /** Hints dropped for being older than the window since this node started. */
  public long dropped() {
    return dropped.get();
  }

  private void arm(Duration delay) {
    if (!running.get()) {
      timer.schedule(delay, this::round);
    }
  }

  private void round() {
    if (timer.isClosed() || !running.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.executor().execute(this::deliverRound);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.set(false); // stopping
    }
  }

  /** One round, on the worker pool: a batch for each target that is up. */
  private void deliverRound() {
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    boolean more = false;
    long doneBefore = delivered.get() + dropped.get();
    try {
      long cutoff = wallMillis.getAsLong() - options.window().toMillis();
      for (String target : targets) {
        if (timer.isClosed() || !health.isUp(target)) {
          continue;
        }
        List<HintStore.Hint> batch = store.batch(target, options.batch());
        more |= batch.size() == options.batch();
        int expired = 0;
        List<CompletableFuture<Boolean>> toTarget = new ArrayList<>();
        for (HintStore.Hint hint : batch) {
          if (hint.writtenMillis() < cutoff) {
            expired++;
            sends.add(store.remove(hint, scheduler).thenRun(dropped::incrementAndGet));
          } else {
            toTarget.add(deliver(hint));
          }
        }
        if (!toTarget.isEmpty()) {
          sends.add(CompletableFuture.allOf(toTarget.toArray(CompletableFuture[]::new)).thenRun(() -> {
            long ok = toTarget.stream().filter(CompletableFuture::join).count();
            if (ok > 0) {
              log.info("delivered {} hints to node {}", ok, target);
            }
          }));
        }
        if (expired > 0) {
          log.warn("dropped {} hints for node {} older than the {} hint window; anti-entropy repairs those keys",
              expired, target, options.window());
        }
      }
    } catch (RuntimeException e) {
      log.warn("hint delivery round failed; it runs again", e);
    }
    boolean full = more;
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
      running.set(false);
      // At once only while rounds make progress: a target that fails every hint is retried at the interval.
      boolean progress = delivered.get() + dropped.get() > doneBefore;
      arm(full && progress ? Duration.ZERO : options.interval());
    });
  }

  /** Sends one hint; completes (never exceptionally) with whether it was delivered and removed. */
  private CompletableFuture<Boolean> deliver(HintStore.Hint hint) {
    Envelope.Builder body = Envelope.newBuilder().setReplicate(Replicate.newBuilder()
        .setKey(ByteString.copyFrom(hint.key())).setSiblings(ByteString.copyFrom(SiblingCodec.encode(hint.set()))));
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    transport.request(hint.target(), body, requestTimeout).whenComplete((reply, failure) -> {
      if (failure != null) {
        log.debug("hint {} not delivered yet: {}", hint, failure.toString());
        done.complete(false);
        return;
      }
      try {
        scheduler.executor().execute(() -> store.remove(hint, scheduler).whenComplete((removed, e) -> {
          if (e == null) {
            delivered.incrementAndGet();
          } else {
            log.debug("delivered hint {} not removed (delivered again later): {}", hint, e.toString());
          }
          done.complete(e == null);
        }));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        done.complete(false);
      }
    });
    return done;
  }

  /** Stops the rounds; hints not delivered stay in the store. Idempotent. */
  @Override
  public void close() {
    timer.close();
  }
}
