package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.clock.testing.FuzzCorpus;
import dev.kvstore.clock.testing.FuzzInput;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the causal-context decoder, {@link Context#fromBytes}, which reads what clients and peers send back.
 * Documented failure: {@link InvalidRequestException}. An accepted context re-encodes to exactly the input: a
 * context has one encoding. See docs/security.md, "Fuzzing"; the corpus is in {@code ContextFuzzTestInputs/context}.
 */
class ContextFuzzTest {

  @FuzzTest(maxDuration = "6s")
  void context(byte[] input) {
    Context[] decoded = new Context[1];
    if (FuzzInput.check(input, () -> decoded[0] = Context.fromBytes(input), InvalidRequestException.class)) {
      assertThat(decoded[0].toBytes()).as("the one encoding of %s", decoded[0]).isEqualTo(input);
    }
  }

  @Test
  void seedsAreValidContextsInTheCorpus() throws IOException {
    FuzzCorpus.verify(ContextFuzzTest.class, "context", validInputs(),
        in -> FuzzInput.check(in, () -> Context.fromBytes(in), InvalidRequestException.class));
  }

  /** Valid contexts, written to the corpus by {@code FuzzCorpusTest}. */
  static List<byte[]> validInputs() {
    return List.of(
        Context.empty().toBytes(),
        Context.of("cluster-1", VectorClock.parse("{a:1}")).toBytes(),
        Context.of("store", VectorClock.parse("{a:3, b:1, node-7:123456789}")).toBytes(),
        Context.of("é-scope", VectorClock.parse("{x:9223372036854775807}")).toBytes());
  }
}
