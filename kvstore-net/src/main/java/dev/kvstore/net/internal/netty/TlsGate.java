package dev.kvstore.net.internal.netty;

import dev.kvstore.net.internal.transport.PeerUnavailableException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the {@code SslHandler} and turns a failed TLS handshake into one log line that names the remote
 * address and the reason (no certificate, wrong cluster, expired, untrusted, not TLS at all, or refused by the other
 * side), then closes the connection; the later copies of the same failure that Netty raises are dropped, so nothing
 * else logs it. On our own connections to a peer the reason also fails the requests waiting for it. Other events
 * and exceptions pass through; reads do not pass through this handler at all (Netty skips its unimplemented
 * methods).
 *
 * <p>One instance per channel, event-loop confined.
 */
final class TlsGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsGate.class);

  private final NettyTransport transport;
  private final PeerConnection connection; // null on a connection a peer opened
  private boolean failed;

  TlsGate(NettyTransport transport, PeerConnection connection) {
    this.transport = transport;
    this.connection = connection;
  }

  /** Why a TLS handshake failed, in words for the log, from the failure Netty reports. */
  static String reason(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ClusterTrustManager.Refusal refusal) {
        return refusal.getMessage();
      }
      if (t instanceof NotSslRecordException) {
        return "not TLS: the first bytes are not a TLS record (a plain-text client or peer?)";
      }
    }
    String message = innermostSsl(cause);
    String m = message.toLowerCase(Locale.ROOT);
    if (m.contains("certificate_required") || m.contains("empty client certificate")
        || m.contains("did_not_return_a_certificate") || m.contains("peer sent no certificates")) {
      return ClusterTrustManager.Reason.NO_CERTIFICATE + ": the other side presented none (" + message + ")";
    }
    if (m.contains("alert")) {
      return "refused by the other side (" + message + "): its log says why";
    }
    return "TLS handshake failed: " + message;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
      fail(ctx, done.cause());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!isTls(cause)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    fail(ctx, cause);
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (failed) {
      return;
    }
    failed = true;
    String reason = reason(cause);
    if (connection == null) {
      transport.logged(() -> {
        log.warn("refused TLS connection from {}: {}", ctx.channel().remoteAddress(), reason);
      });
    } else {
      // may have been sent: a TLS failure on an established connection strikes requests already written; those
      // still queued (all of them when the handshake failed) are failed as not sent
      connection.onTlsFailed(ctx.channel(), new PeerUnavailableException("TLS connection to node "
          + connection.peer() + " at " + ctx.channel().remoteAddress() + " failed: " + reason, connection.peer(), true,
          null));
    }
    ctx.close();
  }

  private static boolean isTls(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String innermostSsl(Throwable cause) {
    String message = String.valueOf(cause);
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException && t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message;
  }
}
