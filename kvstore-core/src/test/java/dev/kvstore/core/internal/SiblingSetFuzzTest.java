package dev.kvstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kvstore.clock.ClockEncodingException;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.clock.HlcTimestamp;
import dev.kvstore.clock.VectorClock;
import dev.kvstore.clock.testing.FuzzCorpus;
import dev.kvstore.clock.testing.FuzzInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the sibling-set decoder, {@link SiblingCodec#decode} (the clock module's DVV-set encoding around
 * our sibling values), which reads what the engine stored, the log replays and peers replicate. Documented
 * failure: {@link ClockEncodingException}. An accepted set re-encodes to exactly the input: a set has one encoding. See
 * docs/security.md, "Fuzzing"; the corpus is in {@code SiblingSetFuzzTestInputs/siblingSet}.
 */
class SiblingSetFuzzTest {

  @FuzzTest(maxDuration = "6s")
  void siblingSet(byte[] input) {
    Object[] decoded = new Object[1];
    if (FuzzInput.check(input, () -> decoded[0] = SiblingCodec.decode(input), ClockEncodingException.class)) {
      @SuppressWarnings("unchecked")
      DvvSet<StoredValue> set = (DvvSet<StoredValue>) decoded[0];
      assertThat(SiblingCodec.encode(set)).as("the one encoding of %s", set).isEqualTo(input);
    }
  }

  @Test
  void seedsAreValidSiblingSetsInTheCorpus() throws IOException {
    FuzzCorpus.verify(SiblingSetFuzzTest.class, "siblingSet", validInputs(),
        in -> FuzzInput.check(in, () -> SiblingCodec.decode(in), ClockEncodingException.class));
  }

  /** Valid sibling sets, written to the corpus by {@code FuzzCorpusTest}. */
  static List<byte[]> validInputs() {
    HlcTimestamp t = new HlcTimestamp(1_700_000_000_000L, 3);
    StoredValue plain = StoredValue.of("v1".getBytes(StandardCharsets.UTF_8), t);
    StoredValue withOp = StoredValue.written("v2".getBytes(StandardCharsets.UTF_8), t, new OperationId("client-é", 7));
    StoredValue tomb = StoredValue.tombstone(new HlcTimestamp(5, 0));
    DvvSet<StoredValue> one = DvvSet.<StoredValue>empty().update(VectorClock.empty(), plain, "a");
    DvvSet<StoredValue> two = one.update(VectorClock.empty(), withOp, "b");
    DvvSet<StoredValue> three = two.update(VectorClock.parse("{a:1}"), tomb, "a");
    return List.of(SiblingCodec.encode(DvvSet.empty()), SiblingCodec.encode(one), SiblingCodec.encode(two),
        SiblingCodec.encode(three));
  }
}
