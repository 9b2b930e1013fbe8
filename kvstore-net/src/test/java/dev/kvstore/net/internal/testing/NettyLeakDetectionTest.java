package dev.kvstore.net.internal.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The leak check itself: a buffer dropped without release is reported, so the other tests can trust silence. */
@Timeout(60)
@ExtendWith(NettyLeakDetection.class)
class NettyLeakDetectionTest {

  @Test
  void bufferDroppedWithoutReleaseIsReported() {
    leakOneBuffer();

    Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> NettyLeakDetection.collect().stream().anyMatch(report -> report.contains("ByteBuf")));
    NettyLeakDetection.clear();
  }

  @Test
  void releasedBufferIsNotReported() {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
    buffer.writeLong(42);
    buffer.release();

    assertThat(NettyLeakDetection.collect()).isEmpty();
  }

  private static void leakOneBuffer() {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
    buffer.writeLong(42);
  }
}
