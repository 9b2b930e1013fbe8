/** Implementation of the local store: not API, may change without notice. */
package dev.kvstore.core.internal;
