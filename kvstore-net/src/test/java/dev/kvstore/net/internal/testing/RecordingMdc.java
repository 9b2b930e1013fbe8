package dev.kvstore.net.internal.testing;

import java.lang.reflect.Field;
import org.slf4j.MDC;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.NOPMDCAdapter;

/**
 * Makes the MDC hold values in tests. The test logging backend, slf4j-simple, ships a no-op MDC, so without
 * this a test could not observe the {@code node} and {@code lamport} keys the transports set. Replaces the
 * adapter once per JVM with SLF4J's thread-local {@link BasicMDCAdapter} (what logback-like backends do).
 */
public final class RecordingMdc {
  private RecordingMdc() {}

  /** Installs a working MDC adapter if the backend's is a no-op; idempotent. */
  public static synchronized void install() {
    if (!(MDC.getMDCAdapter() instanceof NOPMDCAdapter)) {
      return;
    }
    try {
      Field adapter = MDC.class.getDeclaredField("MDC_ADAPTER");
      adapter.setAccessible(true);
      adapter.set(null, new BasicMDCAdapter());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install a working MDC adapter for tests", e);
    }
  }
}
