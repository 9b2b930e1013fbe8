/** The interactive shell of {@code kvstore shell} and {@code kvstore cluster}. */
package dev.kvstore.examples.shell;
