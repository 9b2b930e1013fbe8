/**
 * Consistent hashing: the {@link dev.kvstore.net.internal.ring.Ring} of virtual nodes that maps each key to
 * its preference list of replicas. Not API: may change without notice.
 */
package dev.kvstore.net.internal.ring;
