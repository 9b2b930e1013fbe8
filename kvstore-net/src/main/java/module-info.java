/**
 * The cluster: {@code KvNode} and {@code KvClient} over a Netty transport, with the ring, replication, hinted
 * handoff, failure detection and the simulated network. Exports its API package only.
 */
module dev.kvstore.net {
  requires transitive dev.kvstore.core;
  requires com.google.protobuf;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires org.slf4j;
  // TLS: the cluster id in a certificate's subject (javax.naming.ldap.LdapName).
  requires java.naming;
  // Optional: only the certificate tool (internal.tls.Certificates, used by `kvstore certs` and the TLS tests) needs
  // BouncyCastle; an application that loads certificates from PEM files does not.
  requires static org.bouncycastle.pkix;
  requires static org.bouncycastle.provider;
  requires static org.bouncycastle.util;

  exports dev.kvstore.net;

  // Generated protobuf messages: protobuf-java reaches their accessors by reflection (text format, reflection API).
  opens dev.kvstore.net.internal.proto to com.google.protobuf;
}
