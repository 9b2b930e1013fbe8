/**
 * Classes generated from {@code src/main/proto/peer.proto}: the peer wire protocol (see docs/protocol.md).
 * Not API: may change without notice; never exposed in a public signature of kvstore.
 */
package dev.kvstore.net.internal.proto;
