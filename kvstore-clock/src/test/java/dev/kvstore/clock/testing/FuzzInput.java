package dev.kvstore.clock.testing;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;

/**
 * The rules every fuzz target applies to one input (docs/security.md, "Fuzzing"): the decoder may return or throw
 * its documented exception; anything else it throws, more than {@link #MAX_NANOS} of time or more than {@link
 * #maxBytes} of allocation on the calling thread, is a finding, reported as an {@link AssertionError} that shows the
 * input in hex. The one copy for every module's fuzz targets (kvstore-clock's test-jar).
 *
 * <p>Stateless and thread-safe; the allocation is measured per thread, so a decoder that allocates on another thread
 * is not bounded by it.
 */
public final class FuzzInput {
  /** The most time one input may take, in nanoseconds: 1 s (our inputs are at most a few KiB). */
  public static final long MAX_NANOS = 1_000_000_000L;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private FuzzInput() {}

  /** What a decoder does with one input; may throw. */
  @FunctionalInterface
  public interface Decoding {
    /** Decodes (and checks) the input. */
    void run() throws Exception;
  }

  /**
   * The most a decoder may allocate for an input of {@code length} bytes: 8 MiB plus 64 bytes per input byte. A
   * decoder that allocates from a length field before checking it against the input exceeds it at once.
   */
  public static long maxBytes(int length) {
    return (8L << 20) + 64L * length;
  }

  /**
   * Runs {@code decoding} over {@code input}, failing on an exception not of the {@code documented} types, on an
   * input slower than {@link #MAX_NANOS} or allocating more than {@link #maxBytes} (twice in a row: see below).
   *
   * @return whether the input was accepted (no documented exception)
   */
  @SafeVarargs
  public static boolean check(byte[] input, Decoding decoding, Class<? extends Throwable>... documented) {
    Cost first = run(input, decoding, documented);
    // The first run of a code path also pays for loading (and instrumenting) its classes: an input over a limit is
    // run again, and is a finding only if it is over the limit again. So decoding must be repeatable.
    Cost cost = first.withinLimits(input) ? first : run(input, decoding, documented);
    if (cost.nanos > MAX_NANOS) {
      throw new AssertionError("an input took " + cost.nanos / 1_000_000 + " ms (limit " + MAX_NANOS / 1_000_000
          + " ms): " + hex(input));
    }
    if (cost.bytes > maxBytes(input.length)) {
      throw new AssertionError("an input of " + input.length + " bytes allocated " + cost.bytes + " bytes (limit "
          + maxBytes(input.length) + "): " + hex(input));
    }
    return cost.accepted;
  }

  /** What one run of a decoding cost, and whether it accepted the input. */
  private record Cost(long nanos, long bytes, boolean accepted) {
    boolean withinLimits(byte[] input) {
      return nanos <= MAX_NANOS && bytes <= maxBytes(input.length);
    }
  }

  private static Cost run(byte[] input, Decoding decoding, Class<? extends Throwable>[] documented) {
    long allocatedBefore = allocatedBytes();
    long start = System.nanoTime();
    boolean accepted = true;
    try {
      decoding.run();
    } catch (Throwable t) {
      if (!isDocumented(t, documented)) {
        throw new AssertionError("undocumented " + t.getClass().getName() + " for input " + hex(input), t);
      }
      accepted = false;
    }
    long nanos = System.nanoTime() - start;
    return new Cost(nanos, allocatedBytes() - allocatedBefore, accepted);
  }

  private static boolean isDocumented(Throwable t, Class<? extends Throwable>[] documented) {
    for (Class<? extends Throwable> type : documented) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** The bytes allocated so far by the calling thread. */
  public static long allocatedBytes() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  /** The input in hex, cut after 512 bytes. */
  public static String hex(byte[] input) {
    int shown = Math.min(input.length, 512);
    return input.length + " bytes " + HexFormat.of().formatHex(input, 0, shown) + (shown < input.length ? "..." : "");
  }
}
