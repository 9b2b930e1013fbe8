package dev.kvstore.net.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * X.509 certificates for a kvstore cluster, made with BouncyCastle: EC P-256 keys, a self-signed CA, and member
 * certificates (nodes and clients alike) whose subject is {@code CN=<name>, OU=<cluster id>, O=kvstore}, usable for
 * TLS server and client authentication, with subject alternative names for the given hosts; PEM in and out (keys
 * as unencrypted PKCS#8). Used by {@code kvstore certs} and the TLS tests. BouncyCastle ({@code bcpkix}) is an
 * optional dependency of kvstore-net: a caller of this class brings it. Stateless and thread-safe.
 */
public final class Certificates {
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A new EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys: " + e, e);
    }
  }

  /** A random positive 127-bit serial number. */
  public static BigInteger newSerial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  /** The subject {@code CN=<name>, OU=<cluster>, O=kvstore}. */
  public static X500Name subject(String name, String cluster) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "kvstore").addRDN(BCStyle.OU, cluster)
        .addRDN(BCStyle.CN, name).build();
  }

  /** A self-signed CA certificate for {@code cluster}, valid from {@code from} to {@code to}. */
  public static X509Certificate authority(KeyPair keys, String cluster, Instant from, Instant to) {
    X500Name name = subject("kvstore CA " + cluster, cluster);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, newSerial(), Date.from(from), Date.from(to), name,
        keys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the CA certificate: " + e, e);
    }
    return sign(b, keys.getPrivate());
  }

  /**
   * A member certificate (node or client) signed by the CA.
   *
   * @param hosts the subject alternative names: IP literals as IP addresses, anything else as DNS names
   */
  public static X509Certificate member(KeyPair keys, String name, String cluster, List<String> hosts,
      X509Certificate ca, PrivateKey caKey, Instant from, Instant to, BigInteger serial) {
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial, Date.from(from), Date.from(to),
        subject(name, cluster), keys.getPublic());
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts));
      b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the certificate of " + name + ": " + e, e);
    }
    return sign(b, caKey);
  }

  /** A certificate in PEM. */
  public static String pem(X509Certificate certificate) {
    try {
      return pem("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode a certificate: " + e, e);
    }
  }

  /** A private key in PEM, unencrypted PKCS#8. */
  public static String pem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /**
   * Reads the first certificate of a PEM file.
   *
   * @throws IOException if the file cannot be read or holds no certificate
   */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " holds no PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an unencrypted PKCS#8 EC key from a PEM file.
   *
   * @throws IOException if the file cannot be read or holds no such key
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IOException(file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + " holds no EC key: " + e.getMessage(), e);
    }
  }

  private static GeneralNames alternativeNames(List<String> hosts) {
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      boolean ip = host.matches("[0-9.]+") || host.contains(":");
      names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE)
          .build(key)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e, e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
