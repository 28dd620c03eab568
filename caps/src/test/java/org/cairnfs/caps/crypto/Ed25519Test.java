package org.cairnfs.caps.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {
  private static final HexFormat HEX = HexFormat.of();

  /** RFC 8032 section 7.1, TEST 1 (empty message). */
  @Test
  void matchesRfc8032TestVector() {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] pub = Ed25519.publicKey(seed);
    assertThat(HEX.formatHex(pub))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    byte[] sig = Ed25519.sign(seed, new byte[0]);
    assertThat(HEX.formatHex(sig)).isEqualTo(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertThat(Ed25519.verify(pub, new byte[0], sig)).isTrue();
  }

  @Test
  void rejectsOtherMessageOtherKeyAndFlippedSignature() {
    SecureRandom random = new SecureRandom();
    byte[] seed = Ed25519.generateSeed(random);
    byte[] other = Ed25519.generateSeed(random);
    byte[] msg = "hello".getBytes();
    byte[] sig = Ed25519.sign(seed, msg);
    assertThat(Ed25519.verify(Ed25519.publicKey(seed), msg, sig)).isTrue();
    assertThat(Ed25519.verify(Ed25519.publicKey(seed), "hellp".getBytes(), sig)).isFalse();
    assertThat(Ed25519.verify(Ed25519.publicKey(other), msg, sig)).isFalse();
    sig[10] ^= 1;
    assertThat(Ed25519.verify(Ed25519.publicKey(seed), msg, sig)).isFalse();
  }

  @Test
  void malformedInputsDoNotVerifyAndDoNotThrow() {
    byte[] msg = new byte[3];
    assertThat(Ed25519.verify(new byte[31], msg, new byte[64])).isFalse();
    assertThat(Ed25519.verify(new byte[32], msg, new byte[63])).isFalse();
    byte[] notAPoint = new byte[32];
    java.util.Arrays.fill(notAPoint, (byte) 0xff);
    assertThat(Ed25519.verify(notAPoint, msg, new byte[64])).isFalse();
    assertThat(Ed25519.verify(null, msg, new byte[64])).isFalse();
  }

  @Test
  void rejectsSeedOfWrongLength() {
    assertThatThrownBy(() -> Ed25519.publicKey(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31");
  }
}
