package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.crypto.Ed25519;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.junit.jupiter.api.Test;

class MutableKeysTest {
  private static final byte[] SEED = HexFormat.of().parseHex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

  @Test
  void derivationsFollowTheDesign() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[] pub = Ed25519.publicKey(SEED);
    assertThat(keys.publicKey()).isEqualTo(pub);
    assertThat(keys.writeKey()).isEqualTo(TaggedHash.of(Tag.MUTABLE_WRITE_KEY, SEED));
    assertThat(keys.readKey())
        .isEqualTo(TaggedHash.of(Tag.MUTABLE_READ_KEY, keys.writeKey()));
    assertThat(keys.fingerprint())
        .isEqualTo(TaggedHash.of(Tag.VERIFYING_KEY_FINGERPRINT, pub));
  }

  @Test
  void agreesWithTheCapRecordsDiminishing() {
    MutableKeys keys = MutableKeys.generate(new SecureRandom());
    MutableWriteCap write = keys.writeCap();
    assertThat(write.readOnly()).isEqualTo(keys.readCap());
    assertThat(write.verifyCap()).contains(keys.verifyCap());
    assertThat(MutableVerifyCap.indexOf(keys.fingerprint())).isEqualTo(keys.storageIndex());
    assertThat(write.storageIndex()).contains(keys.storageIndex());
    assertThat(MutableKeys.storageIndexOf(keys.publicKey())).isEqualTo(keys.storageIndex());
  }

  @Test
  void recoversTheSigningKeyFromAShareWithTheWriteCap() {
    MutableKeys keys = MutableKeys.generate(new SecureRandom());
    byte[] encrypted = keys.encryptedSeed();
    assertThat(encrypted).isNotEqualTo(keys.seed());
    MutableKeys again = MutableKeys.recover(keys.writeCap(), encrypted, keys.publicKey());
    assertThat(again.seed()).isEqualTo(keys.seed());
  }

  @Test
  void recoverDetectsATamperedSeedOrForeignKey() {
    SecureRandom random = new SecureRandom();
    MutableKeys keys = MutableKeys.generate(random);
    MutableKeys other = MutableKeys.generate(random);
    byte[] encrypted = keys.encryptedSeed();
    encrypted[3] ^= 0x10;
    assertThatThrownBy(() -> MutableKeys.recover(keys.writeCap(), encrypted, keys.publicKey()))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("decrypted");
    assertThatThrownBy(() -> MutableKeys.recover(keys.writeCap(), other.encryptedSeed(),
        other.publicKey()))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("fingerprint");
  }

  @Test
  void aReadCapHolderCannotDecryptTheSeed() {
    // The seed is encrypted under a key derived from the write key; the read key is one-way
    // from the write key, so decrypting with the read key gives garbage, not the seed.
    MutableKeys keys = MutableKeys.generate(new SecureRandom());
    byte[] attempt = keys.encryptedSeed();
    org.cairnfs.caps.crypto.AesCtr.apply(
        MutableKeys.seedEncryptionKey(keys.readKey()), 0, attempt, 0, attempt.length);
    assertThat(attempt).isNotEqualTo(keys.seed());
    assertThat(keys.readCap().readKey()).isNotEqualTo(keys.writeKey());
  }

  @Test
  void toStringHidesKeys() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    assertThat(keys.toString()).doesNotContain(HexFormat.of().formatHex(SEED))
        .contains(keys.storageIndex().toString());
  }
}
