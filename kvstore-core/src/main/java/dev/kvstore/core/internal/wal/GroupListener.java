package dev.kvstore.core.internal.wal;

import java.util.List;

/**
 * Called with each group of records once it is written (and forced, as the durability mode requires),
 * before the appends' futures complete: on the log's applier thread, or under the writer's lock (on the
 * writer thread, or on an event loop writing its own pass's appends) when the applier is idle; one call at a
 * time, in sequence order.
 */
@FunctionalInterface
public interface GroupListener {

  /**
   * Receives one durable group, in sequence order. An exception thrown here fails the futures of
   * this group and breaks the log: no later group is passed on, and every later append fails.
   *
   * @param group the records, in sequence order, never empty
   */
  void onDurable(List<WalRecord> group);
}
