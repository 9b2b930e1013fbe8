package dev.kvstore.net.internal.replica;

import dev.kvstore.clock.LamportClock;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.transport.RequestHandler;
import dev.kvstore.net.internal.transport.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A transport that passes everything to another; tests override {@link #request} to watch what a client sends. */
class ForwardingTransport implements Transport {
  private final Transport delegate;

  ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public String localNode() {
    return delegate.localNode();
  }

  @Override
  public void serve(RequestHandler handler) {
    delegate.serve(handler);
  }

  @Override
  public void start() {
    delegate.start();
  }

  @Override
  public CompletableFuture<Envelope> request(String to, Envelope.Builder body, Duration timeout) {
    return delegate.request(to, body, timeout);
  }

  @Override
  public LamportClock lamport() {
    return delegate.lamport();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
