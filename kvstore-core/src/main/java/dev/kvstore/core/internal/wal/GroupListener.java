package dev.kvstore.core.internal.wal;

import java.util.List;

/**
 * Called by the log's writer thread with each group of records once it is written (and forced, as
 * the durability mode requires), before the appends' futures complete.
 */
@FunctionalInterface
public interface GroupListener {

  /**
   * Receives one durable group, in sequence order. An exception thrown here fails the futures of
   * this group only; the log keeps going.
   *
   * @param group the records, in sequence order, never empty
   */
  void onDurable(List<WalRecord> group);
}
