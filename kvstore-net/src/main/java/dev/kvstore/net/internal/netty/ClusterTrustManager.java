package dev.kvstore.net.internal.netty;

import java.net.Socket;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Decides whether the other side of a TLS connection (peer, client or node) may talk to us: its certificate must
 * name our cluster ({@code OU=<cluster id>} in its subject), be valid now, and chain to one of the cluster's CA
 * certificates, checked in that order. A refusal is a {@link Refusal} that says which rule failed, so the log line
 * can name the reason. No host name check: a node is known by the CA and the cluster, not by its address.
 *
 * <p>Thread-safe (immutable; the JDK's PKIX trust manager it delegates to is thread-safe).
 */
final class ClusterTrustManager extends X509ExtendedTrustManager {
  /** Why a certificate was refused. */
  enum Reason {
    NO_CERTIFICATE("no certificate"),
    WRONG_CLUSTER("wrong cluster"),
    EXPIRED("expired"),
    NOT_YET_VALID("not yet valid"),
    UNTRUSTED("untrusted");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** A refused certificate with its {@link Reason}. */
  static final class Refusal extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    Refusal(Reason reason, String detail) {
      super(reason + ": " + detail);
      this.reason = reason;
    }

    Reason reason() {
      return reason;
    }
  }

  private final X509TrustManager pkix;
  private final List<X509Certificate> authorities;
  private final String clusterId;
  private final InstantSource clock;

  ClusterTrustManager(List<X509Certificate> authorities, String clusterId, InstantSource clock) {
    this.authorities = List.copyOf(authorities);
    this.pkix = pkixTrusting(this.authorities);
    this.clusterId = clusterId;
    this.clock = clock;
  }

  /** The organizational unit ({@code OU}) of a certificate's subject, or null if it has none. */
  static String clusterOf(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("OU")) {
          return String.valueOf(rdn.getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return authorities.toArray(X509Certificate[]::new);
  }

  private void check(X509Certificate[] chain, String authType, boolean client) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new Refusal(Reason.NO_CERTIFICATE, "the other side presented none");
    }
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    String cluster = clusterOf(leaf);
    if (!clusterId.equals(cluster)) {
      throw new Refusal(Reason.WRONG_CLUSTER, "certificate '" + subject + "' is for cluster "
          + (cluster == null ? "(none: no OU in its subject)" : "'" + cluster + "'") + ", this is cluster '"
          + clusterId + "'");
    }
    try {
      leaf.checkValidity(Date.from(clock.instant()));
    } catch (CertificateExpiredException e) {
      throw new Refusal(Reason.EXPIRED, "certificate '" + subject + "' expired at " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new Refusal(Reason.NOT_YET_VALID, "certificate '" + subject + "' is valid only from "
          + leaf.getNotBefore().toInstant());
    }
    try {
      if (client) {
        pkix.checkClientTrusted(chain, authType);
      } else {
        pkix.checkServerTrusted(chain, authType);
      }
    } catch (CertificateException e) {
      throw new Refusal(Reason.UNTRUSTED, "certificate '" + subject + "' issued by '"
          + leaf.getIssuerX500Principal().getName() + "' does not chain to this cluster's CA (" + e.getMessage() + ")");
    }
  }

  private static X509TrustManager pkixTrusting(List<X509Certificate> authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509TrustManager");
    } catch (KeyStoreException | NoSuchAlgorithmException | CertificateException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up the JDK's PKIX trust manager: " + e, e);
    }
  }
}
