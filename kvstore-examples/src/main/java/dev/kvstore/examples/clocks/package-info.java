/**
 * The space-time diagrams of {@code kvstore clocks}: parsing the diagram text, running it with
 * Lamport and vector clocks, and printing the timestamps and concurrent pairs. Grammar in
 * docs/clocks.md.
 */
package dev.kvstore.examples.clocks;
