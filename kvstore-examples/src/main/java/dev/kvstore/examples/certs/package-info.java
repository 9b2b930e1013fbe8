/** {@code kvstore certs}: a cluster CA and the nodes' and clients' TLS certificates, made with BouncyCastle. */
package dev.kvstore.examples.certs;
