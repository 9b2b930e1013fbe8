package dev.kvstore.net.internal.ring;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby, public domain), of which the ring uses the first 64 bits for keys
 * and virtual-node tokens alike. Compatible with the C++ reference and Guava's {@code murmur3_128}: {@link #hash}
 * returns {@code h1}, the first eight bytes of their output read little-endian.
 *
 * <p>Stateless and thread-safe.
 */
final class Murmur3 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Murmur3() {}

  /** Returns the first 64 bits ({@code h1}) of MurmurHash3_x64_128 of {@code data} with {@code seed}. */
  static long hash(byte[] data, int seed) {
    long h1 = seed & 0xffffffffL;
    long h2 = h1;
    int blocks = data.length / 16;
    for (int i = 0; i < blocks; i++) {
      long k1 = littleEndian(data, i * 16, 8);
      long k2 = littleEndian(data, i * 16 + 8, 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks * 16;
    int rest = data.length - tail;
    if (rest > 8) {
      h2 ^= mixK2(littleEndian(data, tail + 8, rest - 8));
    }
    if (rest > 0) {
      h1 ^= mixK1(littleEndian(data, tail, Math.min(rest, 8)));
    }
    h1 ^= data.length;
    h2 ^= data.length;
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;
    return h1;
  }

  private static long littleEndian(byte[] data, int offset, int length) {
    long value = 0;
    for (int i = length - 1; i >= 0; i--) {
      value = (value << 8) | (data[offset + i] & 0xffL);
    }
    return value;
  }

  private static long mixK1(long k1) {
    return Long.rotateLeft(k1 * C1, 31) * C2;
  }

  private static long mixK2(long k2) {
    return Long.rotateLeft(k2 * C2, 33) * C1;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
