package dev.kvstore.net.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * Writes to one channel and flushes once per event-loop pass, not once per message: every message written on
 * the loop during a pass (the requests decoded from one read, a log group's completions) leaves in one flush,
 * one system call, by a task queued behind the pass. A message written from another thread is written and
 * flushed at once (Netty hands it to the loop).
 *
 * <p>Event-loop confined (the flag); {@link #write} may be called from any thread.
 */
final class FlushBatcher {
  private final Channel channel;
  private final Runnable flush;
  private boolean scheduled; // event-loop confined

  FlushBatcher(Channel channel) {
    this.channel = channel;
    this.flush = () -> {
      scheduled = false;
      channel.flush();
    };
  }

  /** Writes {@code message}; on the loop, the flush follows at the end of the pass. */
  ChannelFuture write(Object message) {
    if (!channel.eventLoop().inEventLoop()) {
      return channel.writeAndFlush(message);
    }
    ChannelFuture written = channel.write(message);
    flushSoon();
    return written;
  }

  /** Schedules one flush after the current pass, unless one is scheduled already; on the loop only. */
  void flushSoon() {
    if (!scheduled) {
      scheduled = true;
      channel.eventLoop().execute(flush);
    }
  }
}
