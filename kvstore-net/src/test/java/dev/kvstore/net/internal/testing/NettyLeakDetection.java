package dev.kvstore.net.internal.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a buffer released too few times. Installs, before any Netty
 * buffer class initializes, a {@link ResourceLeakDetectorFactory} whose detectors record reports instead of
 * only logging them, at level PARANOID (every buffer tracked). After each test it collects garbage and
 * allocates a few buffers (which is when Netty checks for collected, unreleased ones) and fails on any report.
 *
 * <p>Every test class that touches Netty registers it with {@code @ExtendWith(NettyLeakDetection.class)}; it
 * refuses to run if some other code created the buffer leak detector first.
 */
public final class NettyLeakDetection implements BeforeAllCallback, AfterEachCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static final Set<String> TRACKED = ConcurrentHashMap.newKeySet();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    PooledByteBufAllocator.DEFAULT.buffer(1).release();
    if (!TRACKED.contains(ByteBuf.class.getName())) {
      throw new IllegalStateException("Netty's ByteBuf leak detector was created before NettyLeakDetection was "
          + "installed; register the extension on every Netty test class");
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = collect();
    LEAKS.clear();
    assertThat(leaks).as("Netty buffer leaks reported during %s", context.getDisplayName()).isEmpty();
  }

  /**
   * Runs the garbage collector and makes Netty check for leaked buffers; returns every report so far (without
   * clearing them).
   */
  public static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      for (int i = 0; i < 8; i++) {
        UnpooledByteBufAllocator.DEFAULT.buffer(1).release();
        PooledByteBufAllocator.DEFAULT.buffer(1).release();
      }
    }
    return new ArrayList<>(LEAKS);
  }

  /** Forgets the reports so far (for a test that leaks on purpose). */
  public static void clear() {
    LEAKS.clear();
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
      TRACKED.add(resource.getName());
      return new RecordingDetector<>(resource, samplingInterval);
    }

    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
        long maxActive) {
      TRACKED.add(resource.getName());
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add(resourceType + " leaked:" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add(resourceType + " leaked (no records)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
