/** The client commands of {@code kvstore}: get, put, delete, status, and what they share with the shell. */
package dev.kvstore.examples.client;
