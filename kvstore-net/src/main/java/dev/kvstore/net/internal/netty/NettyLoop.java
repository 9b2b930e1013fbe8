package dev.kvstore.net.internal.netty;

import dev.kvstore.core.internal.LoopExecutor;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event loop as the store's {@link LoopExecutor}: tasks go to the loop, and an end-of-pass task is a
 * Netty tail task, run after the pass's other tasks (so the replies and requests they flushed have left before
 * the log forces). One instance per loop ({@link EventLoopScheduler} keeps them), since the log groups
 * completions by completer identity. Thread-safe.
 */
final class NettyLoop implements LoopExecutor {
  private final EventExecutor loop;
  private volatile Deferring deferring; // the last one asked for, kept so that a log group completes in one task

  NettyLoop(EventExecutor loop) {
    this.loop = loop;
  }

  /** {@inheritDoc} On the loop's own timer queue. */
  @Override
  public void schedule(Runnable task, long delayNanos) {
    loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public Deferring deferring(long maxDelayNanos) {
    Deferring d = deferring;
    if (d == null || d.maxDelayNanos() != maxDelayNanos) {
      d = new Deferring(this, maxDelayNanos);
      deferring = d;
    }
    return d;
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(task);
  }

  @Override
  public boolean inLoop() {
    return loop.inEventLoop();
  }

  @Override
  public void executeAtEndOfPass(Runnable task) {
    if (loop instanceof SingleThreadEventLoop single) {
      single.executeAfterEventLoopIteration(task);
    } else {
      loop.execute(task);
    }
  }

  @Override
  public String toString() {
    return "NettyLoop[" + loop + "]";
  }
}
