package dev.kvstore.net.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MurmurHash3 x64 128 against the published vectors of the C++ reference (as used by Guava's and
 * Elasticsearch's tests): seed, input, first 64 bits. They cover inputs shorter than, equal to and longer than
 * one 16-byte block and every tail length that matters.
 */
@Timeout(10)
class Murmur3Test {

  @ParameterizedTest
  @CsvSource({
      "0, hell, 629942693e10f867",
      "1, hello, a78ddff5adae8d10",
      "2, 'hello ', 8a486b23f422e826",
      "3, hello w, 2ea59f466f6bed8c",
      "4, hello wo, 79f6305a386c572c",
      "5, hello wor, c2219d213ec1f1b5",
      "0, The quick brown fox jumps over the lazy dog, e34bbc7bbc071b6c",
      "0, The quick brown fox jumps over the lazy cog, 658ca970ff85269a",
  })
  void matchesTheReferenceImplementation(int seed, String input, String expectedHex) {
    long expected = Long.parseUnsignedLong(expectedHex, 16);

    assertThat(Murmur3.hash(input.getBytes(StandardCharsets.UTF_8), seed)).isEqualTo(expected);
  }

  @Test
  void emptyInputWithSeedZeroHashesToZero() {
    assertThat(Murmur3.hash(new byte[0], 0)).isZero();
  }
}
