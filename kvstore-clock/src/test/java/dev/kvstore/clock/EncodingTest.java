package dev.kvstore.clock;

import static dev.kvstore.clock.Clocks.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Specific malformed encodings, each rejected with a message naming the problem and its offset. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EncodingTest {

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void vectorClockEncodingIsVersionCountThenSortedEntries() {
    assertThat(clock("a:2", "b:300").toBytes())
        .containsExactly(1, 2, 1, 'a', 2, 1, 'b', 0xAC, 0x02);
    assertThat(VectorClock.empty().toBytes()).containsExactly(1, 0);
  }

  @Test
  void emptyInputAndUnknownVersionAreRejected() {
    assertThatThrownBy(() -> VectorClock.fromBytes(new byte[0]))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("offset 0");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(2, 0)))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("format version 2");
  }

  @Test
  void hugeEntryCountIsRejectedBeforeAllocating() {
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07)))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("out of range [0, 4096]");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 0x80, 0x20, 1, 'a', 1)))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("4096")
        .hasMessageContaining("remain");
  }

  @Test
  void hugeSiblingCountAndValueLengthAreRejectedBeforeAllocating() {
    assertThatThrownBy(
            () -> DvvSet.fromBytes(bytes(1, 1, 1, 'a', 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), b -> b))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("sibling count");
    byte[] oneSibling = bytes(1, 1, 1, 'a', 1, 1, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07);
    assertThatThrownBy(() -> DvvSet.fromBytes(oneSibling, b -> b))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("value length");
  }

  @Test
  void nonCanonicalEncodingsAreRejected() {
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 2, 1, 'b', 1, 1, 'a', 1)))
        .hasMessageContaining("strictly increasing")
        .hasMessageContaining("offset 5");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 1, 1, 'a', 0)))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 1, 1, 'a', 0x81, 0x00)))
        .hasMessageContaining("shortest form");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 1, 0, 1, 1)))
        .hasMessageContaining("at least 1");
  }

  @Test
  void overlongVarintsAndInvalidUtf8AreRejected() {
    assertThatThrownBy(
            () ->
                VectorClock.fromBytes(
                    bytes(
                        1, 1, 1, 'a', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("longer than 9 bytes");
    assertThatThrownBy(() -> VectorClock.fromBytes(bytes(1, 1, 2, 0xC3, 0x28, 1)))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void dottedVersionVectorWhosePastCoversItsDotIsRejected() {
    byte[] bad = bytes(1, 1, 'a', 2, 1, 1, 'a', 2);
    assertThatThrownBy(() -> DottedVersionVector.fromBytes(bad))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("covers its own dot");
  }

  @Test
  void dvvSetSiblingNotCoveredByTheContextIsRejected() {
    // context {a:1}, one sibling with dot a:2
    byte[] bad = bytes(1, 1, 1, 'a', 1, 1, 0, 2, 0, 1, 'x');
    assertThatThrownBy(() -> DvvSet.fromBytes(bad, b -> b))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("dot counter 2 is out of range [1, 1]");
  }

  @Test
  void aFailingValueDecoderBecomesAnEncodingExceptionNamingTheSibling() {
    byte[] ok =
        DvvSet.<String>empty()
            .update(VectorClock.empty(), "x", "a")
            .toBytes(s -> s.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () ->
                DvvSet.fromBytes(
                    ok,
                    b -> {
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("sibling 0 value could not be decoded: boom")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> DvvSet.fromBytes(ok, b -> null))
        .isInstanceOf(ClockEncodingException.class)
        .hasMessageContaining("null");
  }

  @Test
  void exceptionReportsTheOffset() {
    ClockEncodingException e = new ClockEncodingException("bad", 7);
    assertThat(e.offset()).isEqualTo(7);
    assertThat(e).hasMessage("bad (at byte offset 7)").isInstanceOf(IllegalArgumentException.class);
  }
}
