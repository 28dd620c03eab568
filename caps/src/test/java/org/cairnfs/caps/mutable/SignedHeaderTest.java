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
}
