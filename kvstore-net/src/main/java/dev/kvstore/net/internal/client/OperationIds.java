package dev.kvstore.net.internal.client;

import dev.kvstore.core.internal.OperationId;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out the operation ids of one client instance (a {@code KvClient}, or the embedded store of one started
 * {@code KvNode}): a client id made of the instance's name and 64 random bits, so that two instances never share
 * one even with the same configured name or after a restart (sequences start again at 1), and sequence numbers
 * 1, 2, 3, ... Not API. Thread-safe.
 */
public final class OperationIds {
  private static final int MAX_NAME = OperationId.MAX_CLIENT_BYTES - 17;

  private final String client;
  private final AtomicLong sequence = new AtomicLong();

  private OperationIds(String client) {
    this.client = client;
  }

  /**
   * Ids for a new instance named {@code name} (ASCII; cut to its first 47 characters), with a random part.
   *
   * @throws NullPointerException if {@code name} is null
   */
  public static OperationIds forInstance(String name) {
    Objects.requireNonNull(name, "name");
    UUID random = UUID.randomUUID();
    String cut = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    return new OperationIds(cut + "/" + HexFormat.of().toHexDigits(random.getLeastSignificantBits()));
  }

  /** Ids under exactly this client id (tests and the simulation, which must be deterministic). */
  public static OperationIds withClientId(String client) {
    new OperationId(client, 1); // checks the id
    return new OperationIds(client);
  }

  /** The next operation id of this instance. */
  public OperationId next() {
    return new OperationId(client, sequence.incrementAndGet());
  }

  /** This instance's client id. */
  public String client() {
    return client;
  }
}
