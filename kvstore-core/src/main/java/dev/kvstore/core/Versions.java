package dev.kvstore.core;

import java.util.List;
import java.util.Optional;

/**
 * The result of a read: the live siblings of a key and the causal context to write with.
 *
 * <p>No sibling means the key is absent or deleted; the context is still meaningful (a put with it
 * supersedes the tombstone). More than one sibling means concurrent writes: resolve them and write the
 * result with {@link #context()}. Immutable and thread-safe.
 */
public final class Versions {
  private final List<Version> versions;
  private final Context context;

  /** Creates a read result. */
  public Versions(List<Version> versions, Context context) {
    this.versions = List.copyOf(versions);
    this.context = context;
  }

  /** The live siblings, in a deterministic order (by writer, then counter). */
  public List<Version> versions() {
    return versions;
  }

  /** The values of the live siblings (copies), in the order of {@link #versions()}. */
  public List<byte[]> values() {
    return versions.stream().map(Version::value).toList();
  }

  /** The values decoded as UTF-8. */
  public List<String> strings() {
    return versions.stream().map(Version::valueAsString).toList();
  }

  /** The context to pass to the next put or delete of this key. */
  public Context context() {
    return context;
  }

  /** True when the key has at least one live sibling. */
  public boolean isFound() {
    return !versions.isEmpty();
  }

  /** True when concurrent writes left more than one sibling. */
  public boolean hasSiblings() {
    return versions.size() > 1;
  }

  /**
   * The single value, or empty when not found.
   *
   * @throws IllegalStateException when there are siblings: read {@link #values()} and resolve them
   */
  public Optional<byte[]> value() {
    if (hasSiblings()) {
      throw new IllegalStateException(
          "key has " + versions.size() + " siblings; read values() and write the resolution with context()");
    }
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(0).value());
  }

  /** {@link #value()} decoded as UTF-8. */
  public Optional<String> string() {
    return value().map(v -> new String(v, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return versions + " context " + context;
  }
}
