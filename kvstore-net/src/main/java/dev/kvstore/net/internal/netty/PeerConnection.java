package dev.kvstore.net.internal.netty;

import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.OverloadedException;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.ActorCounterExchange;
import dev.kvstore.net.internal.transport.Envelopes;
import dev.kvstore.net.internal.transport.PeerTimeoutException;
import dev.kvstore.net.internal.transport.PeerUnavailableException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.EncoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of one peer: a channel created on the first request, handshake first; requests queue
 * (bounded) until the handshake completes and while the channel is not writable; reconnects on demand, and
 * after a failed connection fails requests fast until a jittered, capped exponential backoff has passed.
 *
 * <p>Event-loop confined: every field below the constructor's is touched only on {@link #loop}; other threads
 * enter through {@link #send} and {@link #shutdown}, which hop onto it.
 */
final class PeerConnection {
  private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);

  private final NettyTransport transport;
  private final String peer;
  private final InetSocketAddress address;
  private final EventLoop loop;
  private final Bootstrap bootstrap;

  private final ArrayDeque<Envelope> backlog = new ArrayDeque<>();
  private final Set<Long> inFlight = new HashSet<>();
  private Channel channel;
  private FlushBatcher flusher;
  private boolean ready;
  private boolean backingOff;
  private boolean probing; // the current attempt was opened by open(), not by a request: its failure starts no backoff
  private int failures;
  private int backoffs; // counts backoffs started, so that a timer ends only its own
  private String lastFailure = "no attempt yet";
  private boolean closed;
  // The one field other threads read: a copy of ready for status (written on the loop only).
  private volatile boolean up;

  PeerConnection(NettyTransport transport, String peer, InetSocketAddress address, EventLoop loop) {
    this.transport = transport;
    this.peer = peer;
    this.address = address;
    this.loop = loop;
    this.bootstrap = new Bootstrap().group(loop).channel(transport.clientChannelType())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) transport.connectTimeout().toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new OutboundChannelInitializer(transport, this));
  }

  String peer() {
    return peer;
  }

  InetSocketAddress address() {
    return address;
  }

  /** Whether the connection is open and handshaken now; from any thread. */
  boolean isUp() {
    return up;
  }

  /**
   * Sends a stamped request, arming its timeout; from any thread. On the connection's own event loop it is
   * written at once and flushed with the rest of the pass; from another thread it hops onto the loop.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the event loop is shut down
   */
  void send(Envelope request, Duration timeout) {
    if (loop.inEventLoop()) {
      sendOnLoop(request, timeout);
    } else {
      loop.execute(() -> sendOnLoop(request, timeout));
    }
  }

  private void sendOnLoop(Envelope request, Duration timeout) {
    long id = request.getRequestId();
    ScheduledFuture<?> timer = loop.schedule(
        () -> timedOut(request, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
    transport.pending().attachTimeout(id, () -> timer.cancel(false));
    sendNow(request);
  }

  /**
   * Connects now if not connected (the handshake then reports to the {@link ActorCounterExchange}); from any
   * thread. While a reconnect backoff runs, reports the peer unreachable instead.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the event loop is shut down
   */
  void open() {
    loop.execute(() -> {
      if (closed || channel != null) {
        return;
      }
      if (backingOff) {
        transport.actorCounters().unreachable(peer, lastFailure);
      } else {
        connect();
        probing = true;
      }
    });
  }

  /**
   * The peer just connected to this node and shook hands, so it is up: a reconnect backoff in progress ends now
   * and the next request connects at once (a node that started after this one otherwise stays "unreachable" for
   * up to the backoff's maximum after its first refused connection). From any thread.
   */
  void heardFrom() {
    try {
      loop.execute(() -> {
        backingOff = false;
        failures = 0;
      });
    } catch (RejectedExecutionException stopping) {
      // the transport is closing
    }
  }

  /** Closes the connection for good and fails what it holds; from any thread. */
  void shutdown() {
    try {
      loop.execute(() -> {
        closed = true;
        failQueued(new PeerUnavailableException("connection to node " + peer + " was shut down", peer, true, null));
        if (channel != null) {
          channel.close();
        }
      });
    } catch (RejectedExecutionException e) {
      transport.logged(() -> {
        log.debug("connection to node {} already gone with its event loop", peer);
      });
    }
  }

  // ---- called by the channel handlers, on the loop

  void onReady(Channel ch) {
    if (ch != channel) {
      return;
    }
    ready = true;
    probing = false;
    up = true;
    failures = 0;
    transport.logged(() -> {
      log.debug("connected to node {} at {}", peer, address);
    });
    drain();
  }

  void onRefused(Channel ch, KvStoreException reason) {
    if (ch != channel) {
      return;
    }
    transport.logged(() -> {
      log.warn("node {} at {} refused the connection: {}", peer, address, reason.getMessage());
    });
    giveUp(ch, reason);
  }

  /** The TLS handshake failed ({@link TlsGate}); {@code reason} says why, for the log and the waiting requests. */
  void onTlsFailed(Channel ch, KvStoreException reason) {
    if (ch != channel) {
      return;
    }
    transport.logged(() -> {
      log.warn("{}", reason.getMessage());
    });
    giveUp(ch, reason);
  }

  private void giveUp(Channel ch, KvStoreException reason) {
    lastFailure = reason.getMessage();
    transport.actorCounters().unreachable(peer, lastFailure);
    failQueued(reason);
    ch.close();
  }

  void onWritabilityChanged(Channel ch) {
    if (ch == channel && ready && ch.isWritable()) {
      drain();
    }
  }

  void onReply(Envelope reply) {
    inFlight.remove(reply.getRequestId());
    if (!transport.pending().complete(reply)) {
      transport.logged(() -> {
        log.debug("late or duplicate reply #{} from node {} ignored", reply.getRequestId(), peer);
      });
    }
  }

  // ---- private, on the loop

  private void sendNow(Envelope request) {
    if (!transport.pending().isPending(request.getRequestId())) {
      return;
    }
    if (closed) {
      transport.pending().fail(request.getRequestId(), transport.closedException().asNotSent());
    } else if (ready && backlog.isEmpty() && channel.isWritable()) {
      write(request);
      flusher.flushSoon();
    } else if (enqueue(request) && channel == null) {
      connect();
    }
  }

  private boolean enqueue(Envelope request) {
    if (backlog.size() >= transport.maxQueuedRequests()) {
      backlog.removeIf(e -> !transport.pending().isPending(e.getRequestId()));
    }
    if (backlog.size() >= transport.maxQueuedRequests()) {
      transport.pending().fail(request.getRequestId(), new OverloadedException(
          backlog.size() + " requests are already waiting for node " + peer + " at " + address
              + (ready ? " (its connection is not writable)" : " (connecting)") + "; nothing was sent, back off and retry"));
      return false;
    }
    backlog.add(request);
    return true;
  }

  private void connect() {
    if (backingOff) {
      failQueued(PeerUnavailableException.notSent(peer, "node " + peer + " at " + address + " is unreachable ("
          + lastFailure + "); the next connection attempt waits for the reconnect backoff"));
      return;
    }
    ChannelFuture connecting = bootstrap.connect(address);
    Channel ch = connecting.channel();
    channel = ch;
    flusher = new FlushBatcher(ch);
    ready = false;
    ch.closeFuture().addListener(f -> onClosed(ch));
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        lastFailure = "connect failed: " + f.cause().getMessage();
        ch.close();
      }
    });
  }

  private void onClosed(Channel ch) {
    if (ch != channel) {
      return;
    }
    boolean wasReady = ready;
    boolean wasProbe = probing;
    probing = false;
    channel = null;
    flusher = null;
    ready = false;
    up = false;
    PeerUnavailableException failure = new PeerUnavailableException("connection to node " + peer + " at "
        + address + " closed" + (wasReady ? "" : " before the handshake completed (" + lastFailure + ")"), peer,
        true, null);
    failQueued(failure);
    if (!wasReady) {
      transport.actorCounters().unreachable(peer, lastFailure);
    }
    if (!wasReady && !closed && !wasProbe) { // a failed probe leaves the next request free to try at once
      failures++;
      backingOff = true;
      int backoff = ++backoffs;
      Duration delay = transport.backoff().delay(failures);
      loop.schedule(() -> {
        if (backoff == backoffs) {
          backingOff = false;
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
      transport.logged(() -> {
        log.debug("cannot connect to node {} at {} ({}); failure {}, backing off {} ms", peer, address, lastFailure,
            failures, delay.toMillis());
      });
    }
  }

  private void drain() {
    boolean wrote = false;
    while (!backlog.isEmpty() && channel.isWritable()) {
      Envelope request = backlog.poll();
      if (transport.pending().isPending(request.getRequestId())) {
        write(request);
        wrote = true;
      }
    }
    if (wrote) {
      channel.flush();
    }
  }

  private void write(Envelope request) {
    long id = request.getRequestId();
    inFlight.add(id);
    channel.write(request).addListener(f -> {
      if (!f.isSuccess()) {
        inFlight.remove(id);
        Throwable cause = f.cause();
        transport.pending().fail(id, cause instanceof EncoderException
            ? new InvalidRequestException(cause.getMessage())
            : new PeerUnavailableException("could not send request #" + id + " to node " + peer + ": " + cause,
                peer, false, cause));
      }
    });
  }

  private void timedOut(Envelope request, Duration timeout) {
    long id = request.getRequestId();
    inFlight.remove(id);
    transport.pending().fail(id, new PeerTimeoutException("no reply from node " + peer + " to "
        + Envelopes.kind(request) + " request #" + id + " within " + timeout.toMillis() + " ms", peer));
  }

  /**
   * Fails the requests still queued here (never written: as not sent) and those written and not yet answered
   * (with {@code failure}, which says whether they may have executed).
   */
  private void failQueued(KvStoreException failure) {
    KvStoreException unsent = failure instanceof PeerUnavailableException p ? p.asNotSent() : failure;
    for (Envelope request : backlog) {
      transport.pending().fail(request.getRequestId(), unsent);
    }
    backlog.clear();
    for (long id : inFlight) {
      transport.pending().fail(id, failure);
    }
    inFlight.clear();
  }
}
