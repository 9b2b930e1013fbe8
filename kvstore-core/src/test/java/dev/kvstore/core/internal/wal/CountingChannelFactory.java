package dev.kvstore.core.internal.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens real channels that count {@code force()} calls (of segments and of the directory), can hold
 * forces at a gate (so appends pile up behind a slow disk, deterministically), can make forces
 * fail, and can skip the real fsync.
 */
final class CountingChannelFactory implements ChannelFactory {
  private final AtomicInteger forces = new AtomicInteger();
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
  private final CountDownLatch gateReached = new CountDownLatch(1);
  private final AtomicBoolean failForces = new AtomicBoolean();
  private final AtomicBoolean skipRealForces = new AtomicBoolean();

  /** Forces performed so far. */
  int forces() {
    return forces.get();
  }

  /** From now on, every force waits until {@link #openGate()}. */
  void closeGate() {
    gate.set(new CountDownLatch(1));
  }

  /** Lets waiting and future forces through. */
  void openGate() {
    CountDownLatch g = gate.getAndSet(null);
    if (g != null) {
      g.countDown();
    }
  }

  /** Waits until a force is held at the gate. */
  void awaitForceAtGate() throws InterruptedException {
    if (!gateReached.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no force reached the gate");
    }
  }

  /**
   * From now on, forces are counted but not passed to the disk: for tests of logic, not durability,
   * that would otherwise spend their time in fsync.
   */
  CountingChannelFactory skipRealForces() {
    skipRealForces.set(true);
    return this;
  }

  /** From now on, every force throws an IOException. */
  void failForces() {
    failForces.set(true);
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    return new ForwardingFileChannel(FileChannel.open(path, options)) {
      @Override
      public void force(boolean metaData) throws IOException {
        CountDownLatch g = gate.get();
        if (g != null) {
          gateReached.countDown();
          try {
            if (!g.await(10, TimeUnit.SECONDS)) {
              throw new IOException("test gate never opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted at the test gate", e);
          }
        }
        if (failForces.get()) {
          throw new IOException("injected force failure");
        }
        forces.incrementAndGet();
        if (!skipRealForces.get()) {
          super.force(metaData);
        }
      }
    };
  }
}
