package dev.kvstore.core.internal;

import dev.kvstore.clock.Dot;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.Versioned;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps one version per client operation in a sibling set. Two siblings with the same {@link OperationId} are
 * one logical write applied twice: a retry that reached a coordinator which could not yet see the first
 * attempt's version (the attempt reached fewer than W replicas, or its coordinator was alive but slower than
 * the client's timeout). Of such siblings only the one with the smallest dot is kept; the set's context still
 * covers the others, so a replica that holds one of them drops it on its next merge with this set, and every
 * replica ends with the same one whatever order the merges run in. Not API. Stateless and thread-safe.
 */
public final class RetryDuplicates {
  private RetryDuplicates() {}

  /** Returns {@code set} without the siblings that repeat an earlier-dotted sibling's operation id. */
  public static DvvSet<StoredValue> drop(DvvSet<StoredValue> set) {
    int withOp = 0;
    for (Versioned<StoredValue> s : set.siblings()) {
      withOp += s.value().op() != null ? 1 : 0;
    }
    if (withOp < 2) {
      return set;
    }
    Map<OperationId, Dot> first = new HashMap<>();
    for (Versioned<StoredValue> s : set.siblings()) { // in dot order: the first seen is the smallest
      if (s.value().op() != null) {
        first.putIfAbsent(s.value().op(), s.dot());
      }
    }
    return set.retain(s -> s.value().op() == null || first.get(s.value().op()).equals(s.dot()));
  }
}
