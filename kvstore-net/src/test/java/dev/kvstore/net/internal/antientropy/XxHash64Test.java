package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * XXH64 against the reference implementation: the expected values were computed with libxxhash 0.8.1 (the C
 * library, {@code XXH64(input, length, seed)}), covering every path (under 32 bytes, 32-byte stripes, 8-, 4- and
 * 1-byte tails) and a seed.
 */
@Timeout(10)
class XxHash64Test {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] counting(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  @Test
  void matchesTheReferenceImplementation() {
    assertThat(XxHash64.hash(new byte[0], 0)).isEqualTo(0xef46db3751d8e999L);
    assertThat(XxHash64.hash(ascii("abc"), 0)).isEqualTo(0x44bc2cf5ad770999L);
    assertThat(XxHash64.hash(ascii("xxhash"), 0)).isEqualTo(0x32dd38952c4bc720L);
    assertThat(XxHash64.hash(ascii("Nobody inspects the spammish repetition"), 0)).isEqualTo(0xfbcea83c8a378bf1L);
    assertThat(XxHash64.hash(ascii("12345678901234"), 7)).isEqualTo(0x0756bb5926cb7ae4L);
    assertThat(XxHash64.hash(counting(100), 0)).isEqualTo(0x6ac1e58032166597L);
    assertThat(XxHash64.hash(counting(100), 0x0123456789abcdefL)).isEqualTo(0x40e8f4ec2207f62cL);
  }
}
