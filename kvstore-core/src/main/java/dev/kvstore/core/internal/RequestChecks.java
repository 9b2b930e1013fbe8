package dev.kvstore.core.internal;

import dev.kvstore.core.Context;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.InvalidRequestException.Reason;

/**
 * The argument checks of every public store operation, with messages that name the argument and the
 * limit. Not API. Immutable and thread-safe.
 *
 * @param maxKeyBytes the longest key accepted
 * @param maxValueBytes the longest value accepted
 * @param scope the context scope of this store or cluster
 */
public record RequestChecks(int maxKeyBytes, int maxValueBytes, String scope) {

  /** Rejects a null, empty or too long key. */
  public void key(byte[] key) {
    if (key == null) {
      throw new InvalidRequestException(Reason.NULL_KEY, "key must not be null");
    }
    if (key.length == 0) {
      throw new InvalidRequestException(Reason.EMPTY_KEY, "key must not be empty");
    }
    if (key.length > maxKeyBytes) {
      throw new InvalidRequestException(
          Reason.KEY_TOO_LARGE, "key is " + key.length + " bytes; the limit is " + maxKeyBytes + " (maxKeyBytes)");
    }
  }

  /** Rejects a null or too long value. */
  public void value(byte[] value) {
    if (value == null) {
      throw new InvalidRequestException(Reason.NULL_VALUE, "value must not be null; use delete to remove a key");
    }
    if (value.length > maxValueBytes) {
      throw new InvalidRequestException(
          Reason.VALUE_TOO_LARGE,
          "value is " + value.length + " bytes; the limit is " + maxValueBytes + " (maxValueBytes)");
    }
  }

  /** Rejects a null context or one handed out by another store or cluster. */
  public void context(Context context) {
    if (context == null) {
      throw new InvalidRequestException(Reason.NULL_CONTEXT, "context must not be null; use Context.empty() for none");
    }
    if (!context.scope().isEmpty() && !context.scope().equals(scope)) {
      throw new InvalidRequestException(
          Reason.FOREIGN_CONTEXT,
          "the context comes from store or cluster '" + context.scope() + "', not this one ('" + scope
              + "'): read the key from this store and use that context");
    }
  }
}
