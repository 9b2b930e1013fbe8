/**
 * Quorum replication: the coordinator of client operations, the service answering peers, and the
 * cluster view of the store. Not API.
 */
package dev.kvstore.net.internal.replica;
