package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The limit of one key's sibling set ({@code maxSetBytes}): checked before a write is logged. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class SetLimitTest {
  private static final int VALUE_BYTES = 1000;
  private static final int SET_BYTES = 8192;

  @TempDir Path dir;

  private KvStore open(EngineType engine) {
    return KvStore.local().dataDirectory(dir).engine(engine).maxValueBytes(VALUE_BYTES).maxSetBytes(SET_BYTES)
        .open();
  }

  private static byte[] value(int i) {
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) ('a' + i));
    return v;
  }

  @ParameterizedTest
  @EnumSource(EngineType.class)
  void aWriteThatWouldOutgrowTheSetIsRefusedBeforeItIsLoggedAndAResolutionIsTaken(EngineType engine) {
    byte[] key = "hot".getBytes(StandardCharsets.UTF_8);
    int accepted = 0;
    InvalidRequestException refused = null;
    try (KvStore store = open(engine)) {
      for (int i = 0; i < 20 && refused == null; i++) {
        try {
          store.put(key, value(i), Context.empty()); // concurrent with every earlier one: one more sibling
          accepted++;
        } catch (InvalidRequestException e) {
          refused = e;
        }
      }
      assertThat(refused).as("a set over %d bytes", SET_BYTES).isNotNull();
      assertThat(refused.reason()).isEqualTo(InvalidRequestException.Reason.SET_TOO_LARGE);
      assertThat(refused).hasMessageContaining("maxSetBytes").hasMessageContaining("resolution");
      assertThat(accepted).as("siblings of %d bytes that fit in %d", VALUE_BYTES, SET_BYTES).isBetween(5, 8);
      assertThat(store.get(key).versions()).hasSize(accepted);
    }
    try (KvStore store = open(engine)) { // the log replays: the refused write was never in it
      Versions after = store.get(key);
      byte[] refusedValue = value(accepted);
      assertThat(after.values()).hasSize(accepted).noneMatch(v -> Arrays.equals(v, refusedValue));
      store.put(key, value(0), after.context());
      assertThat(store.get(key).versions()).as("a write with the context resolves the siblings").hasSize(1);
    }
  }

  @Test
  void theSetLimitMustHoldOneValueAndStayInRange() {
    assertThatThrownBy(() -> KvStore.local().inMemory().maxSetBytes(8192).open())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSetBytes (8192) must hold one value");
    assertThatThrownBy(() -> KvStore.local().maxSetBytes(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSetBytes must be between");
    assertThatThrownBy(() -> KvStore.local().maxSetBytes((256 << 20) + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSetBytes must be between");
  }
}
