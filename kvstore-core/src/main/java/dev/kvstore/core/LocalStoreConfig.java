package dev.kvstore.core;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The options of a local store, as checked by {@link LocalStoreBuilder}. {@code dataDirectory} is null for an
 * in-memory store; {@code conflictResolver} and {@code contextScope} may be null (none / the store's own id).
 *
 * @param dataDirectory the directory, or null for {@link LocalStoreBuilder#inMemory()}
 * @param engine the storage engine
 * @param durability when writes count as done
 * @param nodeId the node id (the actor id adds the incarnation)
 * @param conflictPolicy siblings or last-write-wins
 * @param conflictResolver read-time resolver, or null
 * @param maxKeyBytes longest key
 * @param maxValueBytes longest value
 * @param tombstoneGrace how long tombstones are kept
 * @param clock wall clock
 * @param walSegmentBytes log segment size
 * @param checkpointBytes log bytes between checkpoints
 * @param contextScope scope of contexts, or null for the store's own id
 * @param random source of a new directory's (or an in-memory store's) incarnation and id
 * @param maxPendingWrites the most writes waiting for the disk before new ones are refused
 * @param valueCacheBytes bytes of recently written values kept in memory in front of RocksDB (0: none)
 * @param maxSetBytes the largest encoded sibling set of one key
 */
public record LocalStoreConfig(
    Path dataDirectory,
    EngineType engine,
    Durability durability,
    String nodeId,
    ConflictPolicy conflictPolicy,
    ConflictResolver conflictResolver,
    int maxKeyBytes,
    int maxValueBytes,
    Duration tombstoneGrace,
    InstantSource clock,
    long walSegmentBytes,
    long checkpointBytes,
    String contextScope,
    java.util.random.RandomGenerator random,
    int maxPendingWrites,
    long valueCacheBytes,
    int maxSetBytes) {}
