package dev.kvstore.net.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Messages written on the loop in one pass leave in one flush, after the pass (a real event loop). */
@Timeout(30)
class FlushBatcherTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theWritesOfOnePassShareOneFlushAfterIt() throws Exception {
    List<Object> received = new CopyOnWriteArrayList<>();
    LocalAddress address = new LocalAddress("flush-batcher-test");
    Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.add(msg);
          }
        }).bind(address).sync().channel();
    AtomicInteger flushes = new AtomicInteger();
    Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
        .handler(new ChannelOutboundHandlerAdapter() {
          @Override
          public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
          }
        }).connect(address).sync().channel();
    try {
      FlushBatcher batcher = new FlushBatcher(client);
      CompletableFuture<Integer> duringThePass = new CompletableFuture<>();
      client.eventLoop().execute(() -> {
        flushes.set(0);
        batcher.write("a");
        batcher.write("b");
        batcher.write("c");
        duringThePass.complete(flushes.get());
      });
      assertThat(duringThePass.get(10, TimeUnit.SECONDS)).as("nothing flushed during the pass").isZero();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
      assertThat(received).containsExactly("a", "b", "c");
      assertThat(flushes).as("one flush for the pass's three writes").hasValue(1);
      client.eventLoop().submit(() -> batcher.write("d")).sync();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
      assertThat(flushes).as("the next pass flushes again").hasValue(2);
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }
}
