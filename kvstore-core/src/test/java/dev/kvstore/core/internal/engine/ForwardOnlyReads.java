package dev.kvstore.core.internal.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reader thread racing 20,000 single-write groups over eight keys, each value the group's sequence number:
 * what a layered engine (a cache, a buffer) must never show is a key going back to an older value.
 */
final class ForwardOnlyReads {
  private ForwardOnlyReads() {}

  /** Applies the groups to {@code engine} while a reader polls it; "ok", or what the reader saw go back. */
  static String race(Engine engine) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
      long[] seen = new long[8];
      while (!done.get()) {
        for (int k = 0; k < seen.length; k++) {
          byte[] v = engine.getCached(utf8("k" + k));
          long n = v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
          if (n < seen[k]) {
            return "key k" + k + " went back from " + seen[k] + " to " + n;
          }
          seen[k] = n;
        }
      }
      return "ok";
    });
    try {
      for (long seq = 1; seq <= 20_000; seq++) {
        engine.apply(seq, List.of(new Write(utf8("k" + (seq % 8)), utf8(Long.toString(seq)))));
      }
    } finally {
      done.set(true);
    }
    return reader.get(30, TimeUnit.SECONDS);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
