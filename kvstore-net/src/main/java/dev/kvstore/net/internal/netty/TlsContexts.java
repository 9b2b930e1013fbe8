package dev.kvstore.net.internal.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS contexts of one node or client: a server context (for connections peers open to us) and a client
 * context (for ours), both TLS 1.3 with mutual authentication by the {@link ClusterTrustManager}, built from three
 * PEM files: the cluster's CA certificates, our certificate chain, our private key (PKCS#8, unencrypted). OpenSSL
 * (BoringSSL through netty-tcnative) where it loads, the JDK's provider otherwise, chosen once per JVM and logged.
 *
 * <p>Rotation: {@link #server()} and {@link #client()}, called for each new connection, first compare the files'
 * modification time, size and identity with those last loaded (one {@code stat} each) and rebuild both contexts
 * when any changed. Files that cannot be loaded (a half-written certificate, a key that does not match it) leave
 * the previous contexts in use, with one warning per change.
 *
 * <p>Thread-safe: the loaded contexts are an immutable snapshot behind a volatile field; reloads are serialized by
 * the instance's monitor.
 */
public final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final String TLS_13 = "TLSv1.3";

  private final Path caFile;
  private final Path certFile;
  private final Path keyFile;
  private final String clusterId;
  private final InstantSource clock;
  private final SslProvider provider;
  private volatile Loaded current; // replaced under this's monitor
  private List<Object> failedStamp; // guarded by this

  private record Loaded(List<Object> stamp, SslContext server, SslContext client, X509Certificate own) {}

  private TlsContexts(Path ca, Path cert, Path key, String clusterId, InstantSource clock, SslProvider provider) {
    this.caFile = ca;
    this.certFile = cert;
    this.keyFile = key;
    this.clusterId = clusterId;
    this.clock = clock;
    this.provider = provider;
  }

  /**
   * Loads the contexts for the member {@code clusterId} with the best provider available.
   *
   * @throws IllegalArgumentException if a file cannot be read or parsed, or the key does not match the certificate
   */
  public static TlsContexts load(Path ca, Path cert, Path key, String clusterId) {
    return load(ca, cert, key, clusterId, InstantSource.system(), Providers.BEST);
  }

  static TlsContexts load(Path ca, Path cert, Path key, String clusterId, InstantSource clock, SslProvider provider) {
    TlsContexts contexts = new TlsContexts(Objects.requireNonNull(ca, "ca"), Objects.requireNonNull(cert, "cert"),
        Objects.requireNonNull(key, "key"), Objects.requireNonNull(clusterId, "clusterId"), clock, provider);
    try {
      contexts.current = contexts.build(contexts.stamp());
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load TLS material (CA " + ca + ", certificate " + cert + ", key "
          + key + "): " + e.getMessage(), e);
    }
    return contexts;
  }

  /** The context for a connection a peer opens to us, reloaded first if the files changed. */
  SslContext server() {
    return fresh().server();
  }

  /** The context for a connection we open, reloaded first if the files changed. */
  SslContext client() {
    return fresh().client();
  }

  /** The serial number of the certificate the contexts present now (for logs and tests). */
  BigInteger serial() {
    return current.own().getSerialNumber();
  }

  /** The provider the contexts use. */
  SslProvider provider() {
    return provider;
  }

  @Override
  public String toString() {
    X509Certificate own = current.own();
    return "TLS 1.3 (" + provider + ") as '" + own.getSubjectX500Principal().getName() + "', serial "
        + own.getSerialNumber().toString(16) + ", valid until " + own.getNotAfter().toInstant();
  }

  private Loaded fresh() {
    Loaded loaded = current;
    List<Object> stamp;
    try {
      stamp = stamp();
    } catch (IOException e) {
      warnOnce(List.of(e.toString()), "cannot read the TLS files (" + e + "); keeping the loaded certificate");
      return loaded;
    }
    if (stamp.equals(loaded.stamp())) {
      return loaded;
    }
    return reload(stamp);
  }

  private synchronized Loaded reload(List<Object> stamp) {
    if (stamp.equals(current.stamp())) {
      return current;
    }
    try {
      Loaded next = build(stamp);
      current = next;
      failedStamp = null;
      log.info("TLS certificate reloaded from {}: {}", certFile, this);
      return next;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      warnOnce(stamp, "cannot reload the TLS files (" + e.getMessage() + "); keeping the loaded certificate, serial "
          + current.own().getSerialNumber().toString(16));
      return current;
    }
  }

  private synchronized void warnOnce(List<Object> stamp, String message) {
    if (!stamp.equals(failedStamp)) {
      failedStamp = stamp;
      log.warn("{} (CA {}, certificate {}, key {})", message, caFile, certFile, keyFile);
    }
  }

  private Loaded build(List<Object> stamp) throws IOException, GeneralSecurityException {
    List<X509Certificate> authorities = certificates(caFile);
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile, chain.get(0));
    ClusterTrustManager trust = new ClusterTrustManager(authorities, clusterId, clock);
    X509Certificate[] own = chain.toArray(X509Certificate[]::new);
    SslContext server = SslContextBuilder.forServer(key, own).sslProvider(provider).protocols(TLS_13)
        .clientAuth(ClientAuth.REQUIRE).trustManager(trust).build();
    SslContext client = clientContext(key, own, trust);
    return new Loaded(stamp, server, client, own[0]);
  }

  private SslContext clientContext(PrivateKey key, X509Certificate[] own, ClusterTrustManager trust)
      throws SSLException {
    // No host name check: peers are known by the cluster's CA and id (ClusterTrustManager), not by address.
    return SslContextBuilder.forClient().keyManager(key, own).sslProvider(provider).protocols(TLS_13)
        .trustManager(trust).endpointIdentificationAlgorithm(null).build();
  }

  /** What identifies the three files' current versions: modification time, size and file key of each. */
  private List<Object> stamp() throws IOException {
    List<Object> stamp = new ArrayList<>(9);
    for (Path file : List.of(caFile, certFile, keyFile)) {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      stamp.add(a.lastModifiedTime());
      stamp.add(a.size());
      stamp.add(String.valueOf(a.fileKey()));
    }
    return stamp;
  }

  private static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) c);
      }
    }
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException(file + " holds no PEM certificate");
    }
    return certificates;
  }

  /** Reads a PKCS#8 PEM key and checks that it signs what the certificate's public key verifies. */
  private static PrivateKey privateKey(Path file, X509Certificate certificate)
      throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    String algorithm = certificate.getPublicKey().getAlgorithm();
    PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    String signing = switch (algorithm) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> algorithm; // Ed25519, Ed448
    };
    byte[] probe = "kvstore key check".getBytes(StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance(signing);
    sign.initSign(key);
    sign.update(probe);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance(signing);
    verify.initVerify(certificate.getPublicKey());
    verify.update(probe);
    if (!verify.verify(signature)) {
      throw new GeneralSecurityException("the key in " + file + " does not belong to the certificate '"
          + certificate.getSubjectX500Principal().getName() + "'");
    }
    return key;
  }

  /** The provider, chosen and logged once per JVM, on first use. */
  private static final class Providers {
    static final SslProvider BEST = choose();

    private static SslProvider choose() {
      if (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
        log.info("TLS through OpenSSL: {} (netty-tcnative)", OpenSsl.versionString());
        return SslProvider.OPENSSL;
      }
      log.info("TLS through the JDK's provider: netty-tcnative's OpenSSL is not available here ({})",
          OpenSsl.isAvailable() ? "no TLS 1.3" : String.valueOf(OpenSsl.unavailabilityCause()));
      return SslProvider.JDK;
    }
  }
}
