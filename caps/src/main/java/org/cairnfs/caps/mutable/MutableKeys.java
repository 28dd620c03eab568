package org.cairnfs.caps.mutable;

import java.security.MessageDigest;
import java.security.SecureRandom;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Ed25519;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Every key of one mutable slot, derived from its Ed25519 signing key.
 *
 * <p>The chain is one-way at each step, which is what makes diminishing caps safe: the seed
 * gives the write key ({@code H(MUTABLE_WRITE_KEY, seed)}), the write key gives the read key
 * ({@code H(MUTABLE_READ_KEY, writeKey)}), and the public key gives the fingerprint
 * ({@code H(VERIFYING_KEY_FINGERPRINT, publicKey)}) and from it the storage index. A write-cap
 * holder, who has no seed, recovers it from any share with {@link #recover}: the share carries
 * the seed encrypted under {@code H(SIGNING_KEY_ENCRYPTION, writeKey)}.
 */
public final class MutableKeys {
  private final byte[] seed;
  private final byte[] publicKey;
  private final byte[] writeKey;
  private final byte[] readKey;
  private final byte[] fingerprint;

  private MutableKeys(byte[] seed) {
    this.seed = seed.clone();
    this.publicKey = Ed25519.publicKey(this.seed);
    this.writeKey = TaggedHash.of(Tag.MUTABLE_WRITE_KEY, this.seed);
    this.readKey = TaggedHash.of(Tag.MUTABLE_READ_KEY, writeKey);
    this.fingerprint = fingerprintOf(publicKey);
  }

  /** Keys of a brand-new slot. */
  public static MutableKeys generate(SecureRandom random) {
    return new MutableKeys(Ed25519.generateSeed(random));
  }

  /** Keys of the slot whose Ed25519 private seed is {@code seed} (32 bytes). */
  public static MutableKeys fromSeed(byte[] seed) {
    return new MutableKeys(seed);
  }

  /**
   * Recovers the signing key of {@code cap}'s slot from the encrypted seed and verifying key
   * found in one of its shares, so a write-cap holder can publish a new version.
   *
   * @throws MutableIntegrityException if the decrypted seed does not produce {@code
   *     verifyingKey}, or that key is not the one the cap's fingerprint pins, or the seed does
   *     not hash to the cap's write key (a share from another slot or a tampered share)
   */
  public static MutableKeys recover(MutableWriteCap cap, byte[] encryptedSeed,
      byte[] verifyingKey) {
    if (encryptedSeed.length != Ed25519.SEED_LENGTH
        || verifyingKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
      throw new MutableIntegrityException("encrypted seed and verifying key must be 32 bytes");
    }
    if (!MessageDigest.isEqual(fingerprintOf(verifyingKey), cap.fingerprint())) {
      throw new MutableIntegrityException(
          "the share's verifying key does not match the write cap's fingerprint");
    }
    byte[] seed = encryptedSeed.clone();
    AesCtr.apply(seedEncryptionKey(cap.writeKey()), 0, seed, 0, seed.length);
    MutableKeys keys = new MutableKeys(seed);
    if (!MessageDigest.isEqual(keys.publicKey, verifyingKey)
        || !MessageDigest.isEqual(keys.writeKey, cap.writeKey())) {
      throw new MutableIntegrityException(
          "the decrypted signing key does not belong to this write cap's slot");
    }
    return keys;
  }

  /** H(VERIFYING_KEY_FINGERPRINT, publicKey). */
  public static byte[] fingerprintOf(byte[] publicKey) {
    return TaggedHash.of(Tag.VERIFYING_KEY_FINGERPRINT, publicKey);
  }

  /** The storage index of the slot whose verifying key is {@code publicKey}. */
  public static StorageIndex storageIndexOf(byte[] publicKey) {
    return MutableVerifyCap.indexOf(fingerprintOf(publicKey));
  }

  static byte[] seedEncryptionKey(byte[] writeKey) {
    return TaggedHash.of(Tag.SIGNING_KEY_ENCRYPTION, writeKey);
  }

  /** The seed encrypted for storage in a share (AES-256-CTR at offset 0). */
  public byte[] encryptedSeed() {
    byte[] out = seed.clone();
    AesCtr.apply(seedEncryptionKey(writeKey), 0, out, 0, out.length);
    return out;
  }

  /** Signs {@code message} with the slot's key. */
  public byte[] sign(byte[] message) {
    return Ed25519.sign(seed, message);
  }

  public byte[] seed() {
    return seed.clone();
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  public byte[] writeKey() {
    return writeKey.clone();
  }

  public byte[] readKey() {
    return readKey.clone();
  }

  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  public StorageIndex storageIndex() {
    return MutableVerifyCap.indexOf(fingerprint);
  }

  public MutableWriteCap writeCap() {
    return new MutableWriteCap(writeKey, fingerprint);
  }

  public MutableReadCap readCap() {
    return new MutableReadCap(readKey, fingerprint);
  }

  public MutableVerifyCap verifyCap() {
    return new MutableVerifyCap(fingerprint);
  }

  /** Never prints key material. */
  @Override
  public String toString() {
    return "MutableKeys[" + storageIndex() + "]";
  }
}
