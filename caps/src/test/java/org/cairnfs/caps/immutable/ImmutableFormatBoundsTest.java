package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.cairnfs.caps.merkle.MerkleTree;
import org.junit.jupiter.api.Test;

/**
 * The front of an immutable share is chosen by whoever uploaded it: every limit of the
 * parameters, extension block and share header is exact (the last allowed value passes, one
 * past it is refused with a {@link ShareFormatException} or a named argument error).
 */
class ImmutableFormatBoundsTest {
  private static final byte[] ROOT = new byte[32];

  @Test
  void parameterLimitsAreExact() {
    assertThat(new EncodingParams(1, 1, 1, 1).k()).isEqualTo(1);
    assertThatThrownBy(() -> new EncodingParams(0, 1, 1, 1)).hasMessageContaining("k must");
    assertThat(new EncodingParams(1, 1, 256, 1).n()).isEqualTo(256);
    assertThatThrownBy(() -> new EncodingParams(1, 1, 257, 1)).hasMessageContaining("n must");
    assertThat(new EncodingParams(4, 4, 4, 4).k()).isEqualTo(4);
    assertThatThrownBy(() -> new EncodingParams(5, 5, 4, 5)).hasMessageContaining("exceed");
    assertThat(new EncodingParams(3, 3, 10, 3).happy()).isEqualTo(3);
    assertThat(new EncodingParams(3, 10, 10, 3).happy()).isEqualTo(10);
    assertThatThrownBy(() -> new EncodingParams(3, 2, 10, 3)).hasMessageContaining("happy");
    assertThatThrownBy(() -> new EncodingParams(3, 11, 10, 3)).hasMessageContaining("happy");
    assertThatThrownBy(() -> new EncodingParams(1, 1, 1, 0)).hasMessageContaining("segment size");
    assertThat(new EncodingParams(1, 1, 1, EncodingParams.MAX_SEGMENT_SIZE).segmentSize())
        .isEqualTo(EncodingParams.MAX_SEGMENT_SIZE);
    // Refused by its own bound, which names the range (the stripe bound below would refuse it
    // too, since n >= k, but with a message about the stripe).
    assertThatThrownBy(() -> new EncodingParams(1, 1, 1, EncodingParams.MAX_SEGMENT_SIZE + 1))
        .hasMessageContaining("segment size must be in [1, " + EncodingParams.MAX_SEGMENT_SIZE);
    // Stripe n * ceil(segment / k): exactly the limit passes, one more block byte does not.
    assertThat(new EncodingParams(3, 4, 4, 3 * (EncodingParams.MAX_STRIPE / 4)).blockSize())
        .isEqualTo(EncodingParams.MAX_STRIPE / 4);
    assertThatThrownBy(() -> new EncodingParams(3, 4, 4, 3 * (EncodingParams.MAX_STRIPE / 4) + 1))
        .hasMessageContaining("stripe");
    assertThat(new EncodingParams(3, 3, 10, 10).blockSize()).isEqualTo(4);
    assertThat(new EncodingParams(3, 3, 10, 9).blockSize()).isEqualTo(3);
  }

  @Test
  void builderLimitsAreExact() {
    assertThat(EncodingParams.builder().k(1).happy(1).n(1).segmentSize(1).build())
        .isEqualTo(new EncodingParams(1, 1, 1, 1));
    assertThat(EncodingParams.builder().k(256).happy(256).n(256).segmentSize(256).build())
        .isEqualTo(new EncodingParams(256, 256, 256, 256));
    assertThatThrownBy(() -> EncodingParams.builder().k(257)).hasMessageContaining("got 257");
    assertThatThrownBy(() -> EncodingParams.builder().happy(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> EncodingParams.builder().happy(257)).hasMessageContaining("got 257");
    assertThatThrownBy(() -> EncodingParams.builder().n(0)).hasMessageContaining("got 0");
    assertThat(EncodingParams.builder().k(1).happy(1).n(1)
        .segmentSize(EncodingParams.MAX_SEGMENT_SIZE).build().segmentSize())
        .isEqualTo(EncodingParams.MAX_SEGMENT_SIZE);
  }

  private static ExtensionBlock block(EncodingParams p, long size, int segments) {
    return new ExtensionBlock(p, size, segments, ROOT, ROOT);
  }

  @Test
  void extensionBlockLimitsAreExact() {
    EncodingParams p = new EncodingParams(1, 1, 1, 10);
    assertThat(block(p, 1, 1).fileSize()).isEqualTo(1);
    assertThatThrownBy(() -> block(p, 0, 0)).hasMessageContaining("file size must be positive");
    assertThat(block(p, 10, 1).segmentCount()).isEqualTo(1);
    assertThat(block(p, 11, 2).segmentCount()).isEqualTo(2);
    assertThatThrownBy(() -> block(p, 11, 1)).hasMessageContaining("expected 2");
    assertThatThrownBy(() -> block(p, 10, 2)).hasMessageContaining("expected 1");
    EncodingParams one = new EncodingParams(1, 1, 1, 1);
    assertThat(block(one, MerkleTree.MAX_LEAVES, MerkleTree.MAX_LEAVES).segmentCount())
        .isEqualTo(MerkleTree.MAX_LEAVES);
    assertThatThrownBy(() -> block(one, MerkleTree.MAX_LEAVES + 1L, 0))
        .hasMessageContaining("more than " + MerkleTree.MAX_LEAVES);
    assertThatThrownBy(() -> new ExtensionBlock(p, 5, 1, new byte[31], ROOT))
        .hasMessageContaining("share tree root must be 32 bytes, got 31");
    assertThatThrownBy(() -> new ExtensionBlock(p, 5, 1, ROOT, new byte[33]))
        .hasMessageContaining("segment tree root must be 32 bytes, got 33");
  }

  @Test
  void extensionBlockEqualityHashAndNameCoverEveryField() throws ShareFormatException {
    EncodingParams p = new EncodingParams(3, 7, 10, 300);
    byte[] other = new byte[32];
    other[5] = 1;
    ExtensionBlock e = new ExtensionBlock(p, 1000, 4, ROOT, ROOT);
    ExtensionBlock same = ExtensionBlock.parse(e.encode());
    assertThat(same).isEqualTo(e).hasSameHashCodeAs(e).isNotSameAs(e);
    ExtensionBlock[] differing = {
        new ExtensionBlock(new EncodingParams(3, 8, 10, 300), 1000, 4, ROOT, ROOT),
        new ExtensionBlock(p, 999, 4, ROOT, ROOT),
        new ExtensionBlock(p, 1000, 4, other, ROOT),
        new ExtensionBlock(p, 1000, 4, ROOT, other)};
    for (ExtensionBlock d : differing) {
      assertThat(e).isNotEqualTo(d);
      assertThat(e.hashCode()).isNotEqualTo(d.hashCode());
    }
    assertThat(e).isNotEqualTo(new ExtensionBlock(p, 1200, 4, ROOT, ROOT)).isNotEqualTo(p)
        .isNotEqualTo(null);
    assertThat(e.hashCode()).isEqualTo(p.hashCode() * 31 + Long.hashCode(1000) * 17
        + java.util.Arrays.hashCode(ROOT) + 7 * java.util.Arrays.hashCode(ROOT));
    assertThat(e.toString()).isEqualTo("ExtensionBlock[" + p + ", size=1000, segments=4]");
  }

  @Test
  void extensionBlockParseRefusesEachBadField() {
    byte[] good = new ExtensionBlock(new EncodingParams(3, 7, 10, 300), 1000, 4, ROOT, ROOT)
        .encode();
    assertThatThrownBy(() -> ExtensionBlock.parse(java.util.Arrays.copyOf(good, 95)))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("got 95");
    assertThatThrownBy(() -> ExtensionBlock.parse(java.util.Arrays.copyOf(good, 97)))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("got 97");
    byte[] magic = good.clone();
    magic[7] ^= 1;
    assertThatThrownBy(() -> ExtensionBlock.parse(magic))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("magic");
    byte[] version = good.clone();
    version[9] = 2;
    assertThatThrownBy(() -> ExtensionBlock.parse(version))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("version 2");
    byte[] count = good.clone();
    ByteBuffer.wrap(count).putInt(8 + 2 + 2 + 2 + 2 + 4 + 8, 5);
    assertThatThrownBy(() -> ExtensionBlock.parse(count))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("segment count 5");
  }

  private static byte[] header(int number, long... offsets) {
    ByteBuffer b = ByteBuffer.allocate(ShareHeader.LENGTH + 3).put(ShareHeader.MAGIC)
        .putShort((short) 1).putShort((short) number);
    for (long o : offsets) {
      b.putLong(o);
    }
    return b.array();
  }

  @Test
  void shareHeaderLimitsAreExact() throws ShareFormatException {
    ShareHeader equalOffsets = ShareHeader.parse(header(255, 60, 60, 60, 60, 60, 60));
    assertThat(equalOffsets.shareNumber()).isEqualTo(255);
    assertThat(equalOffsets.shareLength()).isEqualTo(60);
    ShareHeader rising = ShareHeader.parse(header(0, 60, 156, 200, 300, 400, 500));
    assertThat(rising).isEqualTo(new ShareHeader(0, 60, 156, 200, 300, 400, 500));
    assertThatThrownBy(() -> ShareHeader.parse(header(256, 60, 60, 60, 60, 60, 60)))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("share number 256");
    String[] names = {"extension offset", "chain offset", "segment tree offset",
        "block tree offset", "blocks offset", "share length"};
    for (int i = 0; i < 6; i++) {
      long[] offsets = {60, 156, 200, 300, 400, 500};
      offsets[i] = i == 0 ? 59 : offsets[i - 1] - 1;
      int at = i;
      assertThatThrownBy(() -> ShareHeader.parse(header(0, offsets)))
          .isInstanceOf(ShareFormatException.class)
          .hasMessageStartingWith(names[at] + " " + offsets[at] + " is before");
    }
    byte[] exact = java.util.Arrays.copyOf(header(0, 60, 60, 60, 60, 60, 60), ShareHeader.LENGTH);
    assertThat(ShareHeader.parse(exact).shareNumber()).isZero();
    assertThatThrownBy(() -> ShareHeader.parse(java.util.Arrays.copyOf(exact, 59)))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("got 59");
    byte[] magic = exact.clone();
    magic[0] = 'C';
    assertThatThrownBy(() -> ShareHeader.parse(magic))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("magic");
    byte[] version = exact.clone();
    version[9] = 2;
    assertThatThrownBy(() -> ShareHeader.parse(version))
        .isInstanceOf(ShareFormatException.class).hasMessageContaining("version 2");
  }
}
