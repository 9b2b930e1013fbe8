/**
 * Anti-entropy: per-peer hash trees of the keys a node replicates together with each peer, kept up to date on
 * every local change, and the exchange that compares them and sends each side the keys that differ
 * (docs/replication.md, "Anti-entropy"). Not API.
 */
package dev.kvstore.net.internal.antientropy;
