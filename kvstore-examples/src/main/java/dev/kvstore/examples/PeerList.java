package dev.kvstore.examples;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Parses and checks a node's {@code --peers} against its {@code --id} and {@code --listen}: each id once, each
 * address once, this node's own entry the address it listens on, and a listen address this machine has.
 * Every problem is a usage error naming the entries at fault. Stateless.
 */
final class PeerList {
  private PeerList() {}

  /** The peers of {@code entries} ({@code id=host:port}) by id, in order. */
  static Map<String, InetSocketAddress> parse(CommandLine cli, List<String> entries, String self,
      InetSocketAddress listen) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    Map<InetSocketAddress, String> byAddress = new LinkedHashMap<>();
    NodeCommand.AddressConverter addresses = new NodeCommand.AddressConverter();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new ParameterException(cli, "--peers entry '" + entry + "' is not id=host:port");
      }
      String id = entry.substring(0, eq);
      InetSocketAddress address;
      try {
        address = addresses.convert(entry.substring(eq + 1));
      } catch (CommandLine.TypeConversionException e) {
        throw new ParameterException(cli, "--peers entry '" + entry + "': " + e.getMessage());
      }
      if (peers.put(id, address) != null) {
        throw new ParameterException(cli, "--peers names node '" + id + "' twice; each node once");
      }
      String other = address.getPort() == 0 ? null : byAddress.put(address, id);
      if (other != null) {
        throw new ParameterException(cli, "--peers gives nodes '" + other + "' and '" + id + "' the same address "
            + address.getHostString() + ":" + address.getPort() + "; each node needs its own port");
      }
    }
    InetSocketAddress own = peers.get(self);
    if (own != null && !sameEndpoint(own, listen)) {
      throw new ParameterException(cli, "--peers gives this node '" + self + "' the address " + own.getHostString()
          + ":" + own.getPort() + " but it listens on " + listen.getHostString() + ":" + listen.getPort()
          + "; they must agree (the others dial the --peers address)");
    }
    return peers;
  }

  /** A listen address must be one of this machine's (or the wildcard). */
  static void checkLocal(CommandLine cli, InetSocketAddress listen) {
    InetAddress host = listen.getAddress();
    try {
      if (host.isAnyLocalAddress() || host.isLoopbackAddress() || NetworkInterface.getByInetAddress(host) != null) {
        return;
      }
    } catch (SocketException e) {
      return; // cannot tell: let the bind decide
    }
    throw new ParameterException(cli, "--listen " + host.getHostAddress() + ": this machine has no such address; "
        + "listen on one of its own addresses, 127.0.0.1, or 0.0.0.0 for all");
  }

  private static boolean sameEndpoint(InetSocketAddress peer, InetSocketAddress listen) {
    return peer.getPort() == listen.getPort()
        && (listen.getAddress().isAnyLocalAddress() || peer.getAddress().equals(listen.getAddress()));
  }
}
