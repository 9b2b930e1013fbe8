/**
 * Byte-level helpers shared by the clock encodings: varints, length-checked strings and a
 * bounds-checked reader. Not API: these types may change or disappear in any release without
 * notice.
 */
package dev.kvstore.clock.internal;
