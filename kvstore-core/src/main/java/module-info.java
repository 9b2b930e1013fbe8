/**
 * The local store: the {@code KvStore} API, versioned values, the write-ahead log and the storage engines.
 * Exports its API package; the internals are exported only to {@code dev.kvstore.net}, which builds the
 * cluster on them, so a user's module that imports them does not compile.
 */
module dev.kvstore.core {
  requires transitive dev.kvstore.clock;
  requires com.google.protobuf;
  requires org.slf4j;
  requires rocksdbjni;

  exports dev.kvstore.core;
  exports dev.kvstore.core.internal to dev.kvstore.net;
  exports dev.kvstore.core.internal.wal to dev.kvstore.net;

  // Generated protobuf messages: protobuf-java reaches their accessors by reflection (text format, reflection API).
  opens dev.kvstore.core.internal.proto to com.google.protobuf;
}
