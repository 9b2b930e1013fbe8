package dev.kvstore.net.internal.hints;

import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.LocalStoreConfig;
import dev.kvstore.core.internal.LocalStore;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.net.internal.transport.Scheduler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The hints a node holds for other nodes: for each (target node, key), the sibling set the target should
 * have, merged by DVV sync when several writes to the key were hinted (so a long outage costs one entry per
 * key, not one per write). Kept in a {@link LocalStore} of its own, in the {@code hints} directory beside the
 * node's store, with the node's durability: with ALWAYS a hint is forced before it is acknowledged. The key of
 * an entry is the target's id (length-prefixed) followed by the client key, so one target's hints are one
 * range. Thread-safe.
 */
public final class HintStore implements AutoCloseable {
  private final LocalStore store;

  /** One held hint: the set {@code target} should merge for {@code key}. */
  public record Hint(String target, byte[] key, DvvSet<StoredValue> set) {
    /** When the newest version in the hint was written (ms since the epoch): the hint's age counts from it. */
    public long writtenMillis() {
      return set.siblings().stream().mapToLong(s -> s.value().time().physicalMillis()).max().orElse(0);
    }

    @Override
    public String toString() {
      return "Hint[" + target + ", " + java.util.HexFormat.of().formatHex(key) + ", " + set.size() + " siblings]";
    }
  }

  /** What a node holds for one target: how many keys, and the write time of the oldest hint. */
  public record Held(long keys, long oldestWrittenMillis) {}

  private HintStore(LocalStore store) {
    this.store = store;
  }

  /** Opens (or creates) the hint store with {@code config}: a directory of its own, or memory. */
  public static HintStore open(LocalStoreConfig config) {
    return over(LocalStore.open(config));
  }

  /** A hint store kept in {@code store}, which it owns from now on (the simulation opens its stores itself). */
  public static HintStore over(LocalStore store) {
    return new HintStore(store);
  }

  /**
   * Holds {@code set} for {@code target}; completes once it is durable. Runs on the calling thread when the
   * entry is in memory, else on the scheduler's worker pool (a disk read).
   */
  public CompletableFuture<Void> hold(String target, byte[] key, DvvSet<StoredValue> set, Scheduler scheduler) {
    byte[] k = entryKey(target, key);
    CompletableFuture<DvvSet<StoredValue>> merged = store.tryMergeCached(k, set, scheduler.completer());
    if (merged == null) {
      merged = CompletableFuture.supplyAsync(() -> store.merge(k, set, scheduler.executor()), scheduler.executor())
          .thenCompose(f -> f);
    }
    return merged.thenApply(s -> null);
  }

  /** Up to {@code max} hints held for {@code target}, in key order. Reads the disk: not on an event loop. */
  public List<Hint> batch(String target, int max) {
    byte[] from = prefix(target);
    byte[] to = Arrays.copyOf(from, from.length);
    to[to.length - 1]++; // node ids are ASCII, so the last byte never overflows
    List<Hint> hints = new ArrayList<>();
    store.scan(from, to, (k, set) -> {
      if (!set.equals(DvvSet.empty())) {
        hints.add(new Hint(target, Arrays.copyOfRange(k, from.length, k.length), set));
      }
      return hints.size() < max;
    });
    return hints;
  }

  /**
   * Removes a delivered hint, unless a newer one for the same key arrived meanwhile (that one stays for the
   * next delivery). Reads the disk: not on an event loop.
   */
  public CompletableFuture<Boolean> remove(Hint hint, Scheduler scheduler) {
    return store.removeIfUnchanged(entryKey(hint.target(), hint.key()), hint.set(), scheduler.completer());
  }

  /** Per target: the keys held and the oldest hint's write time. Reads every hint: not on an event loop. */
  public Map<String, Held> held() {
    Map<String, long[]> acc = new LinkedHashMap<>();
    store.scan(null, null, (k, set) -> {
      if (!set.equals(DvvSet.empty())) {
        String target = new String(k, 1, k[0] & 0xff, StandardCharsets.UTF_8);
        long written = new Hint(target, k, set).writtenMillis();
        long[] a = acc.computeIfAbsent(target, t -> new long[] {0, Long.MAX_VALUE});
        a[0]++;
        a[1] = Math.min(a[1], written);
      }
      return true;
    });
    Map<String, Held> held = new LinkedHashMap<>();
    acc.forEach((t, a) -> held.put(t, new Held(a[0], a[1])));
    return held;
  }

  /** The highest counter of each actor of {@code node} in the hints held here (restore detection). */
  public Map<String, Long> highestCountersOf(String node) {
    return store.highestCountersOf(node);
  }

  private static byte[] prefix(String target) {
    byte[] id = target.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[id.length + 1];
    p[0] = (byte) id.length;
    System.arraycopy(id, 0, p, 1, id.length);
    return p;
  }

  private static byte[] entryKey(String target, byte[] key) {
    byte[] p = prefix(target);
    byte[] k = Arrays.copyOf(p, p.length + key.length);
    System.arraycopy(key, 0, k, p.length, key.length);
    return k;
  }

  @Override
  public void close() {
    store.close();
  }
}
