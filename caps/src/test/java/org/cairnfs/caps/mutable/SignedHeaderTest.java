package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignedHeaderTest {
  private static SignedHeader sample() {
    byte[] root = new byte[32];
    byte[] salt = new byte[16];
    root[0] = 1;
    salt[15] = 2;
    return new SignedHeader(42, root, salt, 3, 10, 3 * 4096, 1_000_000);
  }

  @Test
  void roundTripsAndIs77Bytes() {
    SignedHeader h = sample();
    byte[] bytes = h.encode();
    assertThat(bytes).hasSize(SignedHeader.LENGTH);
    assertThat(SignedHeader.parse(bytes, 0)).isEqualTo(h);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("CMUT");
  }

  /** Readers compare headers of one version's shares field by field; each field counts. */
  @Test
  void equalityCoversEveryField() {
    SignedHeader h = sample();
    byte[] root = h.rootHash();
    byte[] salt = h.salt();
    byte[] otherRoot = root.clone();
    otherRoot[31] ^= 1;
    byte[] otherSalt = salt.clone();
    otherSalt[0] ^= 1;
    assertThat(new SignedHeader(42, root, salt, 3, 10, 3 * 4096, 1_000_000)).isEqualTo(h)
        .hasSameHashCodeAs(h);
    assertThat(h).isNotEqualTo(new SignedHeader(43, root, salt, 3, 10, 3 * 4096, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, otherRoot, salt, 3, 10, 3 * 4096, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, root, otherSalt, 3, 10, 3 * 4096, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, root, salt, 3, 11, 3 * 4096, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, root, salt, 3, 10, 3 * 4095, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, root, salt, 3, 10, 3 * 4096, 1_000_001))
        .isNotEqualTo(h.versionId())
        .isNotEqualTo(null);
    assertThat(new SignedHeader(42, root, salt, 3, 10, 12 * 4096, 1_000_000))
        .isNotEqualTo(new SignedHeader(42, root, salt, 4, 10, 12 * 4096, 1_000_000));
  }

  @Test
  void rejectsImpossibleParameters() {
    byte[] r = new byte[32];
    byte[] s = new byte[16];
    assertThatThrownBy(() -> new SignedHeader(-1, r, s, 3, 10, 30, 0))
        .isInstanceOf(MutableShareFormatException.class).hasMessageContaining("seqnum");
    assertThatThrownBy(() -> new SignedHeader(1, r, s, 0, 10, 30, 0))
        .hasMessageContaining("k must");
    assertThatThrownBy(() -> new SignedHeader(1, r, s, 3, 2, 30, 0))
        .hasMessageContaining("n must");
    assertThatThrownBy(() -> new SignedHeader(1, r, s, 3, 10, 31, 0))
        .hasMessageContaining("multiple of k");
    assertThatThrownBy(() -> new SignedHeader(1, r, s, 3, 10, 30, -5))
        .hasMessageContaining("data length");
  }

  @Test
  void signedDigestChangesWithEveryField() {
    SignedHeader h = sample();
    SignedHeader other = new SignedHeader(43, h.rootHash(), h.salt(), 3, 10, 3 * 4096,
        1_000_000);
    assertThat(h.signedDigest()).isNotEqualTo(other.signedDigest());
  }

  private static SignedHeader withParams(int k, int n, int segmentSize, long dataLength) {
    return new SignedHeader(0, new byte[32], new byte[16], k, n, segmentSize, dataLength);
  }

  /** Each limit is exact: the last allowed value passes and one past it is refused. */
  @Test
  void parameterLimitsAreExact() {
    assertThat(withParams(1, 1, 1, 0).k()).isEqualTo(1);
    assertThat(withParams(256, 256, 256, 0).n()).isEqualTo(256);
    assertThatThrownBy(() -> withParams(257, 257, 257, 0)).hasMessageContaining("k must");
    assertThatThrownBy(() -> withParams(0, 1, 1, 0)).hasMessageContaining("k must");
    assertThat(withParams(3, 3, 3, 0).n()).isEqualTo(3);
    assertThatThrownBy(() -> withParams(3, 257, 3, 0)).hasMessageContaining("n must");
    assertThatThrownBy(() -> withParams(3, 2, 3, 0)).hasMessageContaining("n must");
    assertThat(withParams(1, 1, SignedHeader.MAX_SEGMENT_SIZE, 0).segmentSize())
        .isEqualTo(SignedHeader.MAX_SEGMENT_SIZE);
    assertThatThrownBy(() -> withParams(1, 1, SignedHeader.MAX_SEGMENT_SIZE + 1, 0))
        .hasMessageContaining("segment size");
    assertThatThrownBy(() -> withParams(1, 1, 0, 0)).hasMessageContaining("segment size");
    // The stripe: n blocks of segmentSize / k bytes.
    assertThat(withParams(2, 4, SignedHeader.MAX_STRIPE / 2, 0).n()).isEqualTo(4);
    assertThatThrownBy(() -> withParams(2, 4, SignedHeader.MAX_STRIPE / 2 + 2, 0))
        .hasMessageContaining("stripe");
    assertThat(withParams(1, 1, 1 << 20, SignedHeader.MAX_DATA_LENGTH).dataLength())
        .isEqualTo(SignedHeader.MAX_DATA_LENGTH);
    assertThatThrownBy(() -> withParams(1, 1, 1 << 20, SignedHeader.MAX_DATA_LENGTH + 1))
        .hasMessageContaining("data length must");
    // At most MerkleTree.MAX_LEAVES segments.
    long maxLeaves = org.cairnfs.caps.merkle.MerkleTree.MAX_LEAVES;
    assertThat(withParams(1, 1, 1, maxLeaves).dataLength()).isEqualTo(maxLeaves);
    assertThat(withParams(1, 1, 2, 2 * maxLeaves).dataLength()).isEqualTo(2 * maxLeaves);
    assertThatThrownBy(() -> withParams(1, 1, 1, maxLeaves + 1)).hasMessageContaining("segments");
    assertThatThrownBy(() -> withParams(1, 1, 2, 2 * maxLeaves + 1))
        .hasMessageContaining("segments");
    assertThat(new SignedHeader(0, new byte[32], new byte[16], 1, 1, 1, 0).seqnum()).isZero();
  }

  @Test
  void rejectsMissingOrMisSizedHashes() {
    assertThatThrownBy(() -> new SignedHeader(1, null, new byte[16], 1, 1, 1, 0))
        .hasMessageContaining("root hash");
    assertThatThrownBy(() -> new SignedHeader(1, new byte[31], new byte[16], 1, 1, 1, 0))
        .hasMessageContaining("root hash");
    assertThatThrownBy(() -> new SignedHeader(1, new byte[32], null, 1, 1, 1, 0))
        .hasMessageContaining("salt");
    assertThatThrownBy(() -> new SignedHeader(1, new byte[32], new byte[17], 1, 1, 1, 0))
        .hasMessageContaining("salt");
  }

  @Test
  void parseReadsAtAnOffsetAndRefusesShortOrForeignBytes() {
    SignedHeader h = sample();
    byte[] padded = new byte[SignedHeader.LENGTH + 5];
    System.arraycopy(h.encode(), 0, padded, 5, SignedHeader.LENGTH);
    assertThat(SignedHeader.parse(padded, 5)).isEqualTo(h);
    assertThatThrownBy(() -> SignedHeader.parse(padded, 6))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("a signed header needs 77 bytes, got 76");
    assertThatThrownBy(() -> SignedHeader.parse(padded, -1))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("a signed header needs 77 bytes, got 82");
    assertThatThrownBy(() -> SignedHeader.parse(new byte[3], 5))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("a signed header needs 77 bytes, got 0");
    byte[] magic = h.encode();
    magic[3] = 'X';
    assertThatThrownBy(() -> SignedHeader.parse(magic, 0)).hasMessageContaining("bad magic");
    byte[] version = h.encode();
    version[4] = 2;
    assertThatThrownBy(() -> SignedHeader.parse(version, 0))
        .hasMessageContaining("unknown mutable share version 2");
  }

  @Test
  void hashCodeAndToStringFollowTheFields() {
    SignedHeader h = sample();
    SignedHeader other = new SignedHeader(43, h.rootHash(), h.salt(), 3, 10, 3 * 4096, 1_000_000);
    assertThat(h.hashCode()).isEqualTo(java.util.Arrays.hashCode(h.encode()))
        .isNotEqualTo(other.hashCode());
    assertThat(h.toString()).contains("seqnum=42").contains("root=0100000000")
        .contains("3-of-10").contains("segment=12288").contains("length=1000000");
  }
}
