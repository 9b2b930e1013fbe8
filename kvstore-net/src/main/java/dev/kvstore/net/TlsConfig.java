package dev.kvstore.net;

import dev.kvstore.net.internal.netty.TlsContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a node or client finds its TLS material: three PEM files, the cluster's CA certificate, its own
 * certificate (chain) and its own private key (unencrypted PKCS#8). With it a node or client speaks TLS 1.3 on every
 * connection, presents its certificate, and requires one from the other side that the CA signed, that is valid
 * now, and whose subject names this cluster in its organizational unit ({@code OU=<cluster id>}); anything else is
 * refused before a message is read. See docs/security.md.
 *
 * <p>The files are read when the node or client starts, and again whenever one of them changes (checked at each
 * new connection), so a certificate can be replaced without a restart; connections already open keep theirs.
 *
 * <p>{@link #fromDirectory(Path)} reads the layout {@code kvstore certs} writes: {@code ca.pem}, {@code cert.pem}
 * and {@code key.pem} in one directory per node or client.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsConfig {
  /** The CA certificate's file name in a {@link #fromDirectory directory}. */
  public static final String CA_FILE = "ca.pem";
  /** The certificate's file name in a {@link #fromDirectory directory}. */
  public static final String CERT_FILE = "cert.pem";
  /** The private key's file name in a {@link #fromDirectory directory}. */
  public static final String KEY_FILE = "key.pem";

  private final Path caCertificate;
  private final Path certificate;
  private final Path privateKey;

  private TlsConfig(Path caCertificate, Path certificate, Path privateKey) {
    this.caCertificate = caCertificate;
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /**
   * TLS material from three PEM files.
   *
   * @param caCertificate the cluster CA's certificate (one or more, all trusted)
   * @param certificate this node's or client's certificate, followed by any intermediate certificates
   * @param privateKey the private key of {@code certificate}, PKCS#8, not encrypted
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a file does not exist or is not readable
   */
  public static TlsConfig of(Path caCertificate, Path certificate, Path privateKey) {
    return new TlsConfig(readable(caCertificate, "caCertificate"), readable(certificate, "certificate"),
        readable(privateKey, "privateKey"));
  }

  /**
   * TLS material from {@code dir/ca.pem}, {@code dir/cert.pem} and {@code dir/key.pem}, as {@code kvstore certs}
   * writes them for each node and client.
   *
   * @throws NullPointerException if {@code dir} is null
   * @throws IllegalArgumentException if {@code dir} is not a directory or a file is missing or not readable
   */
  public static TlsConfig fromDirectory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("TLS directory " + dir + " does not exist or is not a directory"
          + " (create one with: kvstore certs)");
    }
    return of(dir.resolve(CA_FILE), dir.resolve(CERT_FILE), dir.resolve(KEY_FILE));
  }

  /** The cluster CA's certificate file. */
  public Path caCertificate() {
    return caCertificate;
  }

  /** This side's certificate (chain) file. */
  public Path certificate() {
    return certificate;
  }

  /** This side's private key file. */
  public Path privateKey() {
    return privateKey;
  }

  /** Loads the files for a member of {@code clusterId}. */
  TlsContexts contexts(String clusterId) {
    return TlsContexts.load(caCertificate, certificate, privateKey, clusterId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsConfig t && caCertificate.equals(t.caCertificate) && certificate.equals(t.certificate)
        && privateKey.equals(t.privateKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(caCertificate, certificate, privateKey);
  }

  @Override
  public String toString() {
    return "TlsConfig[ca=" + caCertificate + ", certificate=" + certificate + ", key=" + privateKey + "]";
  }

  private static Path readable(Path file, String what) {
    Objects.requireNonNull(file, what);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(what + ": " + file + " does not exist or is not a readable file");
    }
    return file;
  }
}
