/**
 * The remote client's plumbing: building {@code Forward} requests, decoding their replies, and routing each
 * request to the first reachable replica of its key. Not API.
 */
package dev.kvstore.net.internal.client;
