/**
 * Failure detection: a phi-accrual detector per peer, fed by every message a peer sends and by heartbeats
 * where there is no traffic, deciding which peers the coordinator treats as up. Runs on the node's {@code
 * Scheduler}, so the simulation drives it in virtual time. Not API.
 */
package dev.kvstore.net.internal.health;
