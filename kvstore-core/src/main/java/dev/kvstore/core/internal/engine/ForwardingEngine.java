package dev.kvstore.core.internal.engine;

import java.util.List;

/**
 * An engine that passes every call to another: the base of decorators, which override only what they add
 * ({@link CachingEngine}, and the faulty and counting engines of the tests). Not API. As thread-safe as the
 * delegate.
 */
public abstract class ForwardingEngine implements Engine {
  private final Engine delegate;

  /**
   * Forwards to {@code delegate}.
   *
   * @throws IllegalArgumentException if delegate is null
   */
  protected ForwardingEngine(Engine delegate) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    this.delegate = delegate;
  }

  /** The engine calls are passed to. */
  protected final Engine delegate() {
    return delegate;
  }

  @Override
  public long durableSequence() {
    return delegate.durableSequence();
  }

  @Override
  public long appliedSequence() {
    return delegate.appliedSequence();
  }

  @Override
  public byte[] get(byte[] key) {
    return delegate.get(key);
  }

  @Override
  public byte[] getCached(byte[] key) {
    return delegate.getCached(key);
  }

  @Override
  public void apply(long seq, List<Write> writes) {
    delegate.apply(seq, writes);
  }

  @Override
  public long checkpoint() {
    return delegate.checkpoint();
  }

  @Override
  public void scan(byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    delegate.scan(fromInclusive, toExclusive, visitor);
  }

  @Override
  public long approximateKeys() {
    return delegate.approximateKeys();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
