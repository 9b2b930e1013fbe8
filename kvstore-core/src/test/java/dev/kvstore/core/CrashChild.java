package dev.kvstore.core;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child process of {@link CrashIT}: opens a store with durability ALWAYS and writes from four threads
 * forever, printing {@code ok <key> <value>} to stdout as each put returns. The parent kills it with SIGKILL.
 * Arguments: data directory, engine, run number.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    EngineType engine = EngineType.valueOf(args[1]);
    String run = args[2];
    KvStore store = KvStore.local().dataDirectory(dir).nodeId("crash").engine(engine)
        .durability(Durability.ALWAYS).maxValueBytes(4096).walSegmentBytes(64 * 1024).checkpointBytes(64 * 1024).open();
    System.out.println("ready");
    System.out.flush();
    AtomicLong next = new AtomicLong();
    Runnable writer = () -> {
      while (true) {
        long i = next.incrementAndGet();
        String key = "r" + run + "-k" + (i % 5000);
        String value = "r" + run + "-v" + i + "-" + "x".repeat((int) (i % 90));
        store.put(key, value);
        synchronized (System.out) {
          System.out.println("ok " + key + " " + value);
          System.out.flush();
        }
      }
    };
    for (int t = 0; t < 4; t++) {
      new Thread(writer, "writer-" + t).start();
    }
  }
}
