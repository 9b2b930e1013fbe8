package dev.kvstore.core.internal;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DottedVersionVector;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.Versioned;
import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.Context;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns a raw sibling set into what a reader sees. Not API. Thread-safe (stateless). */
public final class VersionsView {
  /** The writer shown for a value a {@link ConflictResolver} produced (not an actor id: those hold a dot). */
  public static final String RESOLVED = "resolved";

  /** The placeholder dot of a resolved value, which is no stored version; its past is all the read saw. */
  private static final Dot RESOLVED_DOT = Dot.of(RESOLVED, 1);

  private VersionsView() {}

  /**
   * The live siblings of {@code set} (tombstones hidden) with {@code context}; with a resolver and two or
   * more siblings, the single resolved value instead.
   */
  public static Versions of(byte[] key, DvvSet<StoredValue> set, Context context, ConflictResolver resolver) {
    List<Version> live = new ArrayList<>();
    for (Versioned<StoredValue> s : set.siblings()) {
      if (!s.value().isTombstone()) {
        live.add(new Version(s.value().value(), s.version(), Instant.ofEpochMilli(s.value().time().physicalMillis())));
      }
    }
    if (resolver != null && live.size() > 1) {
      byte[] merged;
      try {
        merged = resolver.resolve(key.clone(), List.copyOf(live));
      } catch (RuntimeException e) {
        throw new dev.kvstore.core.KvStoreException("the ConflictResolver failed on " + live.size() + " siblings: " + e, e);
      }
      if (merged == null) {
        throw new dev.kvstore.core.KvStoreException("the ConflictResolver returned null for " + live.size() + " siblings");
      }
      Instant latest = live.stream().map(Version::writtenAt).max(Instant::compareTo).orElseThrow();
      live = List.of(new Version(merged, DottedVersionVector.of(RESOLVED_DOT, set.context()), latest));
    }
    return new Versions(live, context);
  }
}
