package dev.kvstore.core.internal.wal;

/** Receives the records of a {@link WriteAheadLog#replay}, one at a time, in sequence order. */
@FunctionalInterface
public interface RecordHandler {

  /**
   * Receives one record.
   *
   * @param seq the record's sequence number
   * @param payload the record's payload (owned by the handler from now on)
   */
  void accept(long seq, byte[] payload);
}
