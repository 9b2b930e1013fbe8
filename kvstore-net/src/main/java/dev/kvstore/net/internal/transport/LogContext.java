package dev.kvstore.net.internal.transport;

import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Runs code with the MDC keys {@value #NODE} and {@value #LAMPORT} set and restores what was there before, so
 * log lines of several nodes can be merged and sorted causally. (slf4j-simple ignores the MDC; logback and
 * log4j2 print it with {@code %X{node}} / {@code %X{lamport}}, see docs/protocol.md.)
 *
 * <p>Stateless and thread-safe; the MDC itself is per thread.
 */
public final class LogContext {
  /** MDC key of the node id. */
  public static final String NODE = "node";
  /** MDC key of the node's Lamport time of the event being handled. */
  public static final String LAMPORT = "lamport";

  private LogContext() {}

  /**
   * Runs {@code action} with {@code node} and {@code lamport} in the MDC.
   *
   * @param node the node id
   * @param lamport the Lamport time of the event
   * @param action what to run, typically a log statement
   */
  public static void run(String node, long lamport, Runnable action) {
    call(node, lamport, () -> {
      action.run();
      return null;
    });
  }

  /**
   * Calls {@code action} with {@code node} and {@code lamport} in the MDC and returns its result.
   *
   * @param node the node id
   * @param lamport the Lamport time of the event
   * @param action what to call
   * @return the action's result
   */
  public static <T> T call(String node, long lamport, Supplier<T> action) {
    String previousNode = MDC.get(NODE);
    String previousLamport = MDC.get(LAMPORT);
    MDC.put(NODE, node);
    MDC.put(LAMPORT, Long.toString(lamport));
    try {
      return action.get();
    } finally {
      restore(NODE, previousNode);
      restore(LAMPORT, previousLamport);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
