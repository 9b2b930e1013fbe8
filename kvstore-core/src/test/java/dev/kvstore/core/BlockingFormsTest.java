package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The blocking forms of {@link KvStore} surface every failure as a {@link KvStoreException}. */
class BlockingFormsTest {
  /** A store whose every operation fails later with {@code failure}. */
  private static KvStore failingWith(RuntimeException failure) {
    return new KvStore() {
      @Override
      public CompletableFuture<Versions> getAsync(byte[] key) {
        return CompletableFuture.failedFuture(failure);
      }

      @Override
      public CompletableFuture<Context> putAsync(byte[] key, byte[] value, Context context) {
        return CompletableFuture.failedFuture(failure);
      }

      @Override
      public CompletableFuture<Context> putAsync(byte[] key, byte[] value) {
        return CompletableFuture.failedFuture(failure);
      }

      @Override
      public CompletableFuture<Context> deleteAsync(byte[] key, Context context) {
        return CompletableFuture.failedFuture(failure);
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void anUnexpectedFailureReachesTheBlockingFormsWrappedInAKvStoreException() {
    IllegalStateException bug = new IllegalStateException("a bug inside");
    KvStore store = failingWith(bug);
    assertThatThrownBy(() -> store.get("k")).isExactlyInstanceOf(KvStoreException.class).hasCause(bug)
        .hasMessageContaining("a bug inside");
    assertThatThrownBy(() -> store.put("k", "v")).isExactlyInstanceOf(KvStoreException.class).hasCause(bug);
    assertThatThrownBy(() -> store.put("k", "v", Context.empty())).isExactlyInstanceOf(KvStoreException.class);
    assertThatThrownBy(() -> store.delete("k", Context.empty())).isExactlyInstanceOf(KvStoreException.class);
  }

  @Test
  void aKvStoreExceptionReachesThemAsItIs() {
    StoreClosedException closed = new StoreClosedException("closed");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> failingWith(closed).get("k"))).isSameAs(closed);
  }
}
