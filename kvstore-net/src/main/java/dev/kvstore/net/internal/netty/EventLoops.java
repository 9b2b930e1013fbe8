package dev.kvstore.net.internal.netty;

import dev.kvstore.core.internal.BlockingGuard;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The choice of I/O transport: native epoll when {@code Epoll.isAvailable()}, Java NIO otherwise.
 *
 * <p>The epoll classes are looked up by name because the build declares Netty's native epoll artifact with
 * runtime scope (it is optional by nature: absent or unloadable off Linux); nothing else here is reflective.
 *
 * <p>Immutable and thread-safe.
 */
record EventLoops(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> clientChannel) {
  private static final Logger log = LoggerFactory.getLogger(EventLoops.class);
  private static final String EPOLL = "io.netty.channel.epoll.";

  /** Returns epoll when its native library loads on this machine, NIO otherwise. */
  static EventLoops best() {
    try {
      if ((Boolean) Class.forName(EPOLL + "Epoll").getMethod("isAvailable").invoke(null)) {
        return new EventLoops("epoll",
            (IoHandlerFactory) Class.forName(EPOLL + "EpollIoHandler").getMethod("newFactory").invoke(null),
            Class.forName(EPOLL + "EpollServerSocketChannel").asSubclass(ServerChannel.class),
            Class.forName(EPOLL + "EpollSocketChannel").asSubclass(Channel.class));
      }
      log.debug("native epoll is not available on this machine; using NIO");
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      log.debug("native epoll cannot be loaded ({}); using NIO", e.toString());
    }
    return nio();
  }

  /** Returns the Java NIO transport, available everywhere. */
  static EventLoops nio() {
    return new EventLoops("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /**
   * Creates an event loop group of {@code threads} daemon threads named {@code prefix-<n>-<k>}, each marked as a
   * thread that must not block ({@link BlockingGuard}).
   */
  EventLoopGroup newGroup(int threads, String prefix) {
    return new MultiThreadIoEventLoopGroup(threads,
        BlockingGuard.nonBlocking(new DefaultThreadFactory(prefix, true), "network event loop"), ioHandlers);
  }

  @Override
  public String toString() {
    return name;
  }
}
