package dev.kvstore.net.internal.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.internal.BlockingGuard;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which something that may block (a disk read of the engine, a wait on a future, a log
 * force) ran on a network event loop, even if the code that did it caught the exception. Registered for every
 * test of this module by auto-detection (src/test/resources); the build turns the guard on for all tests
 * ({@code -Dkvstore.blockingGuard=true}).
 */
public final class BlockingGuardCheck implements BeforeEachCallback, AfterEachCallback {
  @Override
  public void beforeEach(ExtensionContext context) {
    BlockingGuard.drainViolations(); // another test's stragglers are not this test's
  }

  @Override
  public void afterEach(ExtensionContext context) {
    assertThat(BlockingGuard.drainViolations()).as("work that may block ran on an event loop").isEmpty();
  }
}
