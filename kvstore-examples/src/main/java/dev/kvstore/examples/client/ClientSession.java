package dev.kvstore.examples.client;

import dev.kvstore.core.Context;
import dev.kvstore.core.KvStore;
import dev.kvstore.core.Versions;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * The client operations of the command line and the shell over one store: each prints its outcome and returns
 * the exit code (0 found or written, 1 not found). It remembers the context of the last read of each key, so a
 * {@code put} or {@code delete} after a {@code get} of the same key is causal without a token; an explicit
 * token wins. Failures propagate as the store's exceptions. Not thread-safe (one shell or one command).
 */
public final class ClientSession {
  private final KvStore store;
  private final PrintWriter out;
  private final boolean remember;
  private final Map<String, Context> lastRead = new HashMap<>();

  /**
   * A session over {@code store} that prints to {@code out}; with {@code remember}, reads' contexts are reused
   * by later writes of the same key (the shell), otherwise only explicit tokens are (one-shot commands).
   */
  public ClientSession(KvStore store, PrintWriter out, boolean remember) {
    this.store = store;
    this.out = out;
    this.remember = remember;
  }

  /** Reads {@code key} and prints its siblings and context (as JSON with {@code json}); 1 when not found. */
  public int get(String key, boolean json) {
    Versions v = store.get(key);
    if (remember) {
      lastRead.put(key, v.context());
    }
    if (json) {
      out.println(Show.json(key, v));
    } else {
      Show.lines(v).forEach(out::println);
    }
    out.flush();
    return v.isFound() ? 0 : 1;
  }

  /** Writes {@code value} under the context of {@code token}, else of the last read of the key, else overwriting. */
  public int put(String key, String value, String token) {
    Context context = context(key, token);
    Context after = context == null ? store.put(key, value) : store.put(key, value, context);
    return written("put", key, after);
  }

  /** Deletes {@code key} under the context of {@code token}, else of the last read of the key, else of a fresh read. */
  public int delete(String key, String token) {
    Context context = context(key, token);
    Context after = store.delete(key, context == null ? store.get(key).context() : context);
    return written("delete", key, after);
  }

  private Context context(String key, String token) {
    if (token != null) {
      return Show.context(token);
    }
    return lastRead.get(key);
  }

  private int written(String op, String key, Context after) {
    if (remember) {
      lastRead.put(key, after);
    }
    out.println("OK " + op + " " + key + "  context: " + Show.token(after));
    out.flush();
    return 0;
  }
}
