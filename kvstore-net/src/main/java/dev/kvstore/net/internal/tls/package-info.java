/** Making a cluster's certificates (a CA and its members' certificates) for mutual TLS; not part of the API. */
package dev.kvstore.net.internal.tls;
