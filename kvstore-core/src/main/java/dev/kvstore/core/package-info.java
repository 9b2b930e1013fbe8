/**
 * The local key-value store: the {@link dev.kvstore.core.KvStore} API, its versions and contexts, its
 * options and its exceptions. Everything under {@code dev.kvstore.core.internal} is not API.
 */
package dev.kvstore.core;
