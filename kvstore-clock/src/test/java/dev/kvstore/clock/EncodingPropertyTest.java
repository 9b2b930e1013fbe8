package dev.kvstore.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kvstore.clock.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Binary encodings: round trips, and bad bytes always giving {@link ClockEncodingException}
 * (truncated prefixes, random bytes, single-byte mutations), over many seeds ({@code
 * -Dkvstore.seed=<n>}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EncodingPropertyTest {
  private static final int SEEDS = 500;

  /** One type's codec, for running the same properties over every type. */
  private record Codec(
      String name,
      Function<SplittableRandom, byte[]> sample,
      Function<byte[], Object> decode,
      Function<Object, byte[]> encode) {}

  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @SuppressWarnings("unchecked")
  private static final List<Codec> CODECS =
      List.of(
          new Codec(
              "VectorClock",
              rnd -> Gen.anyClock(rnd).toBytes(),
              VectorClock::fromBytes,
              o -> ((VectorClock) o).toBytes()),
          new Codec(
              "DottedVersionVector",
              rnd -> Gen.dvv(rnd).toBytes(),
              DottedVersionVector::fromBytes,
              o -> ((DottedVersionVector) o).toBytes()),
          new Codec(
              "DvvSet",
              EncodingPropertyTest::dvvSetBytes,
              b -> DvvSet.fromBytes(b, EncodingPropertyTest::latin1),
              o -> ((DvvSet<String>) o).toBytes(EncodingPropertyTest::latin1)),
          new Codec(
              "HlcTimestamp",
              rnd -> hlc(rnd).toBytes(),
              HlcTimestamp::fromBytes,
              o -> ((HlcTimestamp) o).toBytes()));

  private static HlcTimestamp hlc(SplittableRandom rnd) {
    return new HlcTimestamp(
        Gen.counter(rnd), rnd.nextBoolean() ? rnd.nextInt(5) : rnd.nextInt(Integer.MAX_VALUE));
  }

  private static byte[] dvvSetBytes(SplittableRandom rnd) {
    DvvHistory h = DvvHistory.random(rnd, 2 + rnd.nextInt(3), 15);
    DvvSet<String> s = h.states.isEmpty() ? DvvSet.empty() : Gen.pick(rnd, h.states);
    return s.toBytes(EncodingPropertyTest::latin1);
  }

  @Test
  void everyTypeRoundTripsThroughItsEncoding() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          VectorClock c = Gen.anyClock(rnd);
          assertThat(VectorClock.fromBytes(c.toBytes())).isEqualTo(c);
          DottedVersionVector d = Gen.dvv(rnd);
          assertThat(DottedVersionVector.fromBytes(d.toBytes())).isEqualTo(d);
          HlcTimestamp t = hlc(rnd);
          assertThat(HlcTimestamp.fromBytes(t.toBytes())).isEqualTo(t);
          DvvHistory h = DvvHistory.random(rnd, 3, 20);
          for (DvvSet<String> s : h.states) {
            assertThat(
                    DvvSet.fromBytes(
                        s.toBytes(EncodingPropertyTest::latin1), EncodingPropertyTest::latin1))
                .isEqualTo(s);
          }
        });
  }

  @Test
  void everyTruncatedPrefixIsRejected() {
    Seeds.forEachRandom(
        SEEDS / 5,
        rnd -> {
          for (Codec codec : CODECS) {
            byte[] valid = codec.sample().apply(rnd);
            for (int len = 0; len < valid.length; len++) {
              byte[] prefix = Arrays.copyOf(valid, len);
              assertThatThrownBy(() -> codec.decode().apply(prefix))
                  .as("%s prefix of %d/%d bytes", codec.name(), prefix.length, valid.length)
                  .isExactlyInstanceOf(ClockEncodingException.class);
            }
            byte[] longer = Arrays.copyOf(valid, valid.length + 1);
            assertThatThrownBy(() -> codec.decode().apply(longer))
                .isExactlyInstanceOf(ClockEncodingException.class)
                .hasMessageContaining("trailing");
          }
        });
  }

  @Test
  void randomBytesAreRejectedOrDecodeToACanonicalValue() {
    Seeds.forEachRandom(
        SEEDS * 4,
        rnd -> {
          for (Codec codec : CODECS) {
            byte[] junk = Gen.bytes(rnd, 48);
            if (junk.length > 0 && rnd.nextBoolean()) {
              junk[0] = 1; // a valid version byte, so decoding gets past the first check
            }
            checkRejectedOrCanonical(codec, junk);
          }
        });
  }

  @Test
  void mutatedEncodingsAreRejectedOrDecodeToACanonicalValue() {
    Seeds.forEachRandom(
        SEEDS,
        rnd -> {
          for (Codec codec : CODECS) {
            byte[] valid = codec.sample().apply(rnd);
            for (int k = 0; k < 8; k++) {
              byte[] mutated = valid.clone();
              int at = rnd.nextInt(mutated.length);
              mutated[at] =
                  (byte)
                      (rnd.nextBoolean() ? mutated[at] ^ (1 << rnd.nextInt(8)) : rnd.nextInt(256));
              checkRejectedOrCanonical(codec, mutated);
            }
          }
        });
  }

  /**
   * Decoding either throws exactly ClockEncodingException, or the value re-encodes to the same
   * bytes.
   */
  private static void checkRejectedOrCanonical(Codec codec, byte[] bytes) {
    Throwable t =
        catchThrowable(
            () -> {
              Object decoded = codec.decode().apply(bytes);
              assertThat(codec.encode().apply(decoded))
                  .as(
                      "%s decoded from %s re-encodes identically",
                      codec.name(), Arrays.toString(bytes))
                  .isEqualTo(bytes);
            });
    if (t instanceof AssertionError e) {
      throw e;
    }
    if (t != null) {
      assertThat(t)
          .as("%s from %s", codec.name(), Arrays.toString(bytes))
          .isExactlyInstanceOf(ClockEncodingException.class);
    }
  }

  @Test
  void samplesAreNonTrivial() {
    List<Integer> sizes = new ArrayList<>();
    Seeds.forEachRandom(50, rnd -> sizes.add(dvvSetBytes(rnd).length));
    assertThat(sizes.stream().mapToInt(i -> i).max().orElse(0)).isGreaterThan(20);
  }
}
