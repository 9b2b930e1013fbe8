package dev.kvstore.examples.certs;

import dev.kvstore.core.KvStore;
import dev.kvstore.net.TlsConfig;
import dev.kvstore.net.internal.tls.Certificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore certs}: makes a cluster's TLS certificates. The first run creates the cluster CA in {@code
 * DIR/ca} ({@code ca.pem}, and {@code ca-key.pem}, which signs and must stay private); every run then writes, for
 * each node or client named, a directory {@code DIR/<name>} with {@code ca.pem}, {@code cert.pem} and {@code
 * key.pem}: what {@code kvstore node --tls-dir}, the client commands' {@code --tls-dir}, {@link
 * TlsConfig#fromDirectory} read. Certificates are EC P-256, subject {@code CN=<name>, OU=<cluster id>, O=kvstore},
 * with subject alternative names 127.0.0.1, localhost and any {@code --host}. Naming an existing member again
 * issues it a new certificate and key (rotation; a running node picks them up at its next connection). Files are
 * replaced by a rename, keys readable by the owner only. Not thread-safe.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = {"Create a cluster CA (once) and a certificate and key per node or client named, in PEM, for TLS.",
        "Example: kvstore certs --dir certs n1 n2 n3 client; then kvstore node ... --tls-dir certs/n1",
        "Naming a member again issues it a new certificate (rotation, no restart needed)."})
public final class CertsCommand implements Callable<Integer> {
  /** The CA's directory under {@code --dir}. */
  public static final String CA_DIR = "ca";
  /** The CA key's file name in {@link #CA_DIR}. */
  public static final String CA_KEY_FILE = "ca-key.pem";

  @Spec CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "certs",
      description = "Where the CA and the members' directories are (default ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--cluster-id", paramLabel = "ID", defaultValue = "kvstore",
      description = "The cluster id the certificates name (OU); nodes check it (default ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--host", split = ",", paramLabel = "HOST",
      description = "More host names or IP addresses for every certificate made now (besides 127.0.0.1, localhost).")
  List<String> hosts = new ArrayList<>();

  @Option(names = "--days", defaultValue = "365",
      description = "How long the members' certificates are valid, 1 to 3650 days (default ${DEFAULT-VALUE}).")
  int days;

  @Parameters(paramLabel = "NAME", arity = "1..*",
      description = "Nodes and clients to make certificates for (node ids; 1 to 64 of [A-Za-z0-9_-]).")
  List<String> names = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if (days < 1 || days > 3650) {
      throw new ParameterException(spec.commandLine(), "--days must be between 1 and 3650, got " + days);
    }
    Set<String> members = new LinkedHashSet<>(names);
    for (String name : members) {
      checkName(name);
    }
    PrintWriter out = spec.commandLine().getOut();
    Authority ca;
    try {
      ca = Authority.openOrCreate(dir, clusterId);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    out.printf("%s CA of cluster '%s' in %s (keep %s private)%n", ca.created() ? "Created the" : "Using the",
        clusterId, dir.resolve(CA_DIR), CA_KEY_FILE);
    for (String name : members) {
      X509Certificate cert = ca.issue(name, hosts, Duration.ofDays(days));
      out.printf("  %s: %s (serial %s, valid until %s)%n", name, dir.resolve(name),
          cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
    }
    out.printf("Start a node with --tls-dir %s, a client with --tls-dir %s (or KVSTORE_TLS_DIR).%n",
        dir.resolve(members.iterator().next()), dir.resolve("<client>"));
    out.flush();
    return 0;
  }

  /**
   * Makes sure {@code dir} holds a CA for {@code clusterId} and a member directory for each of {@code names}, making
   * only what is missing: for {@code kvstore cluster --tls}, the demo and the bench.
   *
   * @throws IOException if the files cannot be written
   * @throws IllegalArgumentException if {@code dir} holds a CA of another cluster, or a name is not a node id
   */
  public static Path ensure(Path dir, String clusterId, Collection<String> names) throws IOException {
    Authority ca = Authority.openOrCreate(dir, clusterId);
    for (String name : names) {
      KvStore.local().nodeId(name);
      if (!Files.exists(dir.resolve(name).resolve(TlsConfig.KEY_FILE))) {
        ca.issue(name, List.of(), Duration.ofDays(365));
      }
    }
    return dir;
  }

  private void checkName(String name) {
    try {
      KvStore.local().nodeId(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "NAME '" + name + "': " + e.getMessage());
    }
    if (name.equals(CA_DIR)) {
      throw new ParameterException(spec.commandLine(), "NAME 'ca' is taken by the CA's own directory; choose another");
    }
  }

  /** The cluster CA: its certificate and key, read from or written to {@code DIR/ca}. */
  private static final class Authority {
    private final Path root;
    private final String clusterId;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final boolean created;

    private Authority(Path root, String clusterId, X509Certificate certificate, PrivateKey key, boolean created) {
      this.root = root;
      this.clusterId = clusterId;
      this.certificate = certificate;
      this.key = key;
      this.created = created;
    }

    static Authority openOrCreate(Path root, String clusterId) throws IOException {
      Path caDir = root.resolve(CA_DIR);
      Path certFile = caDir.resolve(TlsConfig.CA_FILE);
      Path keyFile = caDir.resolve(CA_KEY_FILE);
      if (Files.exists(certFile) || Files.exists(keyFile)) {
        X509Certificate cert = Certificates.readCertificate(certFile);
        String cluster = clusterOf(cert);
        if (!clusterId.equals(cluster)) {
          throw new IllegalArgumentException("the CA in " + caDir + " is for cluster '" + cluster + "', not '"
              + clusterId + "'; pass --cluster-id " + cluster + " or another --dir");
        }
        return new Authority(root, clusterId, cert, Certificates.readPrivateKey(keyFile), false);
      }
      KeyPair keys = Certificates.newKeyPair();
      Instant now = Instant.now();
      X509Certificate cert = Certificates.authority(keys, clusterId, now.minus(Duration.ofHours(1)),
          now.plus(Duration.ofDays(3650)));
      Files.createDirectories(caDir);
      writePrivate(keyFile, Certificates.pem(keys.getPrivate()));
      write(certFile, Certificates.pem(cert));
      return new Authority(root, clusterId, cert, keys.getPrivate(), true);
    }

    boolean created() {
      return created;
    }

    X509Certificate issue(String name, List<String> extraHosts, Duration validity) throws IOException {
      List<String> sans = new ArrayList<>(List.of("127.0.0.1", "localhost"));
      extraHosts.stream().filter(h -> !sans.contains(h)).forEach(sans::add);
      KeyPair keys = Certificates.newKeyPair();
      Instant now = Instant.now();
      BigInteger serial = Certificates.newSerial();
      X509Certificate cert = Certificates.member(keys, name, clusterId, sans, certificate, key,
          now.minus(Duration.ofHours(1)), now.plus(validity), serial);
      Path member = Files.createDirectories(root.resolve(name));
      write(member.resolve(TlsConfig.CA_FILE), Certificates.pem(certificate));
      writePrivate(member.resolve(TlsConfig.KEY_FILE), Certificates.pem(keys.getPrivate()));
      write(member.resolve(TlsConfig.CERT_FILE), Certificates.pem(cert));
      return cert;
    }

    private static String clusterOf(X509Certificate cert) {
      try {
        for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName())
            .getRdns()) {
          if (rdn.getType().equalsIgnoreCase("OU")) {
            return String.valueOf(rdn.getValue());
          }
        }
        return null;
      } catch (javax.naming.InvalidNameException e) {
        return null;
      }
    }

    private static void writePrivate(Path file, String text) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(tmp, text);
      move(tmp, file);
    }

    private static void write(Path file, String text) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text);
      move(tmp, file);
    }

    /** Replaces {@code file} at once, so a node reloading it never reads half a file. */
    private static void move(Path tmp, Path file) throws IOException {
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
