package dev.kvstore.core.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kvstore.core.CorruptLogException;
import dev.kvstore.core.internal.engine.Engine;
import dev.kvstore.core.internal.engine.Write;
import dev.kvstore.core.internal.proto.WalEntry;
import dev.kvstore.core.internal.wal.WalRecord;
import dev.kvstore.core.internal.wal.WriteAheadLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log in front of an engine. Each commit appends a {@link WalEntry} (key and whole sibling
 * set); the log's writer (or applier) thread applies every durable group to the engine in sequence order, so the
 * engine's sequence number is always a prefix of the log. When the log has grown by the checkpoint size, a
 * background thread checkpoints the engine and deletes the segments it made redundant.
 *
 * <p>Thread-safe.
 */
final class WalCommitLog implements CommitLog {
  private static final Logger log = LoggerFactory.getLogger(WalCommitLog.class);
  private static final int REPLAY_BATCH = 1024;

  private final Engine engine;
  private final WriteAheadLog wal;
  private final long checkpointBytes;
  private final AtomicLong bytesSinceCheckpoint = new AtomicLong();
  private final AtomicBoolean checkpointRunning = new AtomicBoolean();
  private final ExecutorService checkpointer =
      Executors.newSingleThreadExecutor(r -> Threads.daemon(r, "kvstore-checkpoint"));

  private WalCommitLog(Engine engine, WriteAheadLog wal, long checkpointBytes) {
    this.engine = engine;
    this.wal = wal;
    this.checkpointBytes = checkpointBytes;
  }

  /** Replays the log past the engine's durable point into the engine, then starts the log writer. */
  static WalCommitLog recover(Engine engine, WriteAheadLog wal, long checkpointBytes) {
    long from = engine.durableSequence();
    List<Write> batch = new ArrayList<>();
    long[] last = {from};
    long[] count = {0};
    long end = wal.replay(from, (seq, payload) -> {
      batch.add(toWrite(payload));
      last[0] = seq;
      count[0]++;
      if (batch.size() == REPLAY_BATCH) {
        engine.apply(seq, List.copyOf(batch));
        batch.clear();
      }
    });
    if (!batch.isEmpty()) {
      engine.apply(last[0], List.copyOf(batch));
    }
    log.info("recovered: engine durable at sequence {}, replayed {} log records, log ends at {}", from, count[0], end);
    WalCommitLog commitLog = new WalCommitLog(engine, wal, checkpointBytes);
    wal.start(commitLog::applyGroup);
    return commitLog;
  }

  @Override
  public CompletableFuture<Long> commit(byte[] key, byte[] encodedSet, java.util.concurrent.Executor completer) {
    WalEntry.Builder entry = WalEntry.newBuilder().setKey(ByteString.copyFrom(key));
    if (encodedSet != null) {
      entry.setSiblings(ByteString.copyFrom(encodedSet)).setPresent(true);
    }
    byte[] payload = entry.build().toByteArray();
    if (bytesSinceCheckpoint.addAndGet(payload.length) > checkpointBytes) {
      maybeCheckpoint();
    }
    return wal.append(payload, completer);
  }

  @Override
  public void writeOnCaller() {
    wal.writeOnCaller();
  }

  /** Runs as the log's group listener: one group at a time, in sequence order, after it is durable. */
  private void applyGroup(List<WalRecord> group) {
    List<Write> writes = new ArrayList<>(group.size());
    for (WalRecord r : group) {
      writes.add(toWrite(r.payload()));
    }
    engine.apply(group.get(group.size() - 1).seq(), writes);
  }

  private static Write toWrite(byte[] payload) {
    try {
      WalEntry e = WalEntry.parseFrom(payload);
      return new Write(e.getKey().toByteArray(), e.getPresent() ? e.getSiblings().toByteArray() : null);
    } catch (InvalidProtocolBufferException e) {
      // The record's CRC was right, so this is a bug or a foreign file, not a torn write.
      throw new CorruptLogException(null, -1, "a log record with a valid checksum is not a WalEntry: " + e.getMessage());
    }
  }

  private void maybeCheckpoint() {
    if (checkpointRunning.compareAndSet(false, true)) {
      bytesSinceCheckpoint.set(0);
      checkpointer.execute(() -> {
        try {
          checkpoint();
        } catch (RuntimeException e) {
          log.error("checkpoint failed; the log keeps growing until the next one succeeds", e);
        } finally {
          checkpointRunning.set(false);
        }
      });
    }
  }

  /** Makes the engine durable and deletes the log segments it covers. */
  void checkpoint() {
    long durable = engine.checkpoint();
    wal.deleteThrough(durable);
    log.debug("checkpoint at sequence {}", durable);
  }

  @Override
  public boolean intact() {
    return !wal.failed();
  }

  @Override
  public dev.kvstore.core.internal.wal.WalStats stats() {
    return wal.stats();
  }

  @Override
  public String describe() {
    return "wal " + wal.stats();
  }

  @Override
  public void close() {
    try {
      Threads.shutdownAndAwait(checkpointer, java.time.Duration.ofMinutes(1), "checkpointer (the log closes anyway)");
    } finally {
      wal.close();
    }
    long durable = engine.checkpoint();
    log.debug("closed the log; engine durable at sequence {} (older segments go at the next checkpoint)", durable);
  }
}
