package dev.kvstore.core.internal.engine;

import dev.kvstore.core.Durability;
import dev.kvstore.core.internal.wal.SegmentedWal;
import dev.kvstore.core.internal.wal.WalOptions;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The process {@link StorageCrashIT} kills: wires a log and a RocksDB engine the way the store does
 * and writes until killed, printing "ACK key value" for each acknowledged write.
 */
public final class StorageCrashChild {
  private StorageCrashChild() {}

  /** Runs the child: {@code args = directory round}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long round = Long.parseLong(args[1]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    RocksDbEngine engine = RocksDbEngine.open(dir.resolve("engine"));
    SegmentedWal wal =
        SegmentedWal.open(
            WalOptions.defaults(dir.resolve("wal"), Durability.ALWAYS).withSegmentBytes(16 << 10));
    wal.replay(
        engine.durableSequence(), (seq, payload) -> engine.apply(seq, List.of(decode(payload))));
    wal.start(
        group -> {
          List<Write> writes = new ArrayList<>();
          group.forEach(r -> writes.add(decode(r.payload())));
          engine.apply(group.get(group.size() - 1).seq(), writes);
        });
    out.println("READY");
    Semaphore inFlight = new Semaphore(64);
    for (long i = 0; ; i++) {
      String key = "key-" + (i % 97);
      long value = round * 1_000_000_000L + i;
      inFlight.acquire();
      wal.append(encode(key, value))
          .whenComplete(
              (seq, failure) -> {
                inFlight.release();
                if (failure == null) {
                  out.println("ACK " + key + " " + value);
                }
              });
      if (i % 500 == 499) {
        wal.deleteThrough(engine.checkpoint());
      }
    }
  }

  static byte[] encode(String key, long value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + k.length + 8).putInt(k.length).put(k).putLong(value).array();
  }

  static Write decode(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    byte[] key = new byte[b.getInt()];
    b.get(key);
    return Write.put(key, ByteBuffer.allocate(8).putLong(b.getLong()).array());
  }
}
