package dev.kvstore.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The identity of one logical client write: the writing client's id and the write's sequence number in that
 * client. Every attempt of the write (a retry after a timeout, a forward to the next replica) carries the same
 * id, and the id is stored with the version the write created (in its sibling, so on every replica and across
 * restarts): a coordinator that finds the id in the key's set answers with that set instead of minting a second
 * version. A client id must be unique per client instance (a random part, not only a configured name), since
 * sequences restart at 1 with every instance. Immutable value. Not API.
 *
 * @param client the client instance's id, 1 to {@value #MAX_CLIENT_BYTES} UTF-8 bytes
 * @param sequence the write's number within the client, at least 1
 */
public record OperationId(String client, long sequence) {
  /** The longest client id, in UTF-8 bytes. */
  public static final int MAX_CLIENT_BYTES = 64;

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if the client id is empty or too long, or the sequence is below 1
   * @throws NullPointerException if the client id is null
   */
  public OperationId {
    Objects.requireNonNull(client, "client");
    int bytes = client.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < 1 || bytes > MAX_CLIENT_BYTES) {
      throw new IllegalArgumentException(
          "operation id: the client id must be 1 to " + MAX_CLIENT_BYTES + " UTF-8 bytes, got " + bytes);
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("operation id: the sequence must be at least 1, got " + sequence);
    }
  }

  /** Returns {@code client#sequence}. */
  @Override
  public String toString() {
    return client + "#" + sequence;
  }
}
