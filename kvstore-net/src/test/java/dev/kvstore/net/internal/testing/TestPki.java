package dev.kvstore.net.internal.testing;

import dev.kvstore.net.internal.tls.Certificates;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A cluster CA for tests, which writes member directories in the layout of {@code kvstore certs} ({@code ca.pem},
 * {@code cert.pem}, {@code key.pem}): valid ones, expired ones, ones for another cluster. Not thread-safe.
 */
public final class TestPki {
  private final Path root;
  private final String cluster;
  private final KeyPair caKeys = Certificates.newKeyPair();
  private final X509Certificate ca;

  /** A new CA for {@code cluster}, writing under {@code root}. */
  public TestPki(Path root, String cluster) {
    this.root = root;
    this.cluster = cluster;
    Instant now = Instant.now();
    this.ca = Certificates.authority(caKeys, cluster, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
  }

  /** The CA's certificate. */
  public X509Certificate ca() {
    return ca;
  }

  /** Writes a valid member directory {@code root/name} for this cluster. */
  public Path member(String name) throws IOException {
    Instant now = Instant.now();
    return write(root.resolve(name), name, cluster, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
        Certificates.newSerial());
  }

  /**
   * Writes (or overwrites) a member directory: the CA, a certificate of {@code name} for {@code certCluster}, valid
   * from {@code from} to {@code to}, with {@code serial}, and its key.
   */
  public Path write(Path dir, String name, String certCluster, Instant from, Instant to, BigInteger serial)
      throws IOException {
    Files.createDirectories(dir);
    KeyPair keys = Certificates.newKeyPair();
    X509Certificate cert = Certificates.member(keys, name, certCluster, List.of("127.0.0.1", "localhost"), ca,
        caKeys.getPrivate(), from, to, serial);
    replace(dir.resolve("ca.pem"), Certificates.pem(ca));
    replace(dir.resolve("key.pem"), Certificates.pem(keys.getPrivate()));
    replace(dir.resolve("cert.pem"), Certificates.pem(cert));
    return dir;
  }

  /** Writes a file by a rename, as {@code kvstore certs} does, so a node never reads half of it. */
  private static void replace(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
