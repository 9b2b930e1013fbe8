package dev.kvstore.net;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 in front of one node, for tests: it passes length-prefixed frames both ways, and when
 * armed it loses the next reply the node sends after a connection's handshake: {@link Mode#CLOSE} closes the
 * connection instead of passing the reply on (the request was sent and executed, then the connection broke),
 * {@link Mode#SWALLOW} drops the reply and keeps the connection (the requester times out). Each arming loses one
 * reply; {@link #silence()} drops every reply after a handshake from then on (a node that takes requests and never
 * answers). Blocking sockets, two threads per connection; {@link #close()} stops them all.
 */
final class ReplyCuttingProxy implements AutoCloseable {
  /** What the proxy does to the next reply when armed. */
  enum Mode { PASS, CLOSE, SWALLOW }

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final AtomicReference<Mode> armed = new AtomicReference<>(Mode.PASS);
  private final AtomicInteger lost = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean silent = new java.util.concurrent.atomic.AtomicBoolean();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  ReplyCuttingProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    start("accept", this::acceptLoop);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  /** Loses the next reply (after a handshake) in the given way. */
  void arm(Mode mode) {
    armed.set(mode);
  }

  /** Drops every reply after a connection's handshake from now on, keeping the connections open. */
  void silence() {
    silent.set(true);
  }

  /** How many replies were lost so far. */
  int lost() {
    return lost.get();
  }

  private void acceptLoop() {
    try {
      while (!server.isClosed()) {
        Socket client = server.accept();
        Socket node = new Socket(target.getAddress(), target.getPort());
        sockets.add(client);
        sockets.add(node);
        start("to-node", () -> pump(client, node, false));
        start("to-client", () -> pump(node, client, true));
      }
    } catch (IOException e) {
      // the server socket was closed: the proxy stops
    }
  }

  private void pump(Socket from, Socket to, boolean replies) {
    try (DataInputStream in = new DataInputStream(from.getInputStream())) {
      OutputStream out = to.getOutputStream();
      for (int frame = 0; ; frame++) {
        byte[] bytes = readFrame(in);
        Mode mode = !replies || frame == 0 ? Mode.PASS : silent.get() ? Mode.SWALLOW : armed.getAndSet(Mode.PASS);
        if (mode == Mode.CLOSE) {
          lost.incrementAndGet();
          from.close();
          to.close();
          return;
        }
        if (mode == Mode.SWALLOW) {
          lost.incrementAndGet();
          continue;
        }
        out.write(bytes);
        out.flush();
      }
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > (64 << 20)) {
      throw new EOFException("bad frame length " + length);
    }
    byte[] frame = new byte[4 + length];
    frame[0] = (byte) (length >>> 24);
    frame[1] = (byte) (length >>> 16);
    frame[2] = (byte) (length >>> 8);
    frame[3] = (byte) length;
    in.readFully(frame, 4, length);
    return frame;
  }

  private void start(String name, Runnable body) {
    Thread t = new Thread(body, "proxy-" + name + "-" + server.getLocalPort());
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing a broken socket: nothing more to do
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    sockets.forEach(ReplyCuttingProxy::closeQuietly);
    for (Thread t : threads) {
      t.join(10_000);
    }
  }
}
