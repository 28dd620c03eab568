package org.cairnfs.caps.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 (RFC 8032, pure mode) over Bouncy Castle's low-level API, on raw byte arrays.
 *
 * <p>Mutable files are signed with Ed25519 because its 32-byte keys and 64-byte signatures fit
 * a share header and verification is cheap enough for a storage server to check every write.
 * Keys travel as raw bytes (the 32-byte private seed and the 32-byte encoded public point), not
 * as JCA key objects, because the seed is itself hashed into the write key and the public key
 * into the fingerprint. {@link #verify} never throws on hostile input: a malformed key or
 * signature simply does not verify.
 */
public final class Ed25519 {
  public static final int SEED_LENGTH = 32;
  public static final int PUBLIC_KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  /** A fresh 32-byte private seed drawn from {@code random}. */
  public static byte[] generateSeed(SecureRandom random) {
    byte[] seed = new byte[SEED_LENGTH];
    random.nextBytes(seed);
    return seed;
  }

  /** The encoded public key (32 bytes) of a private seed. */
  public static byte[] publicKey(byte[] seed) {
    return privateKey(seed).generatePublicKey().getEncoded();
  }

  /** Signs {@code message} with the key whose private seed is {@code seed}; 64 bytes. */
  public static byte[] sign(byte[] seed, byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey(seed));
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * Whether {@code signature} is a valid signature of {@code message} under {@code publicKey}.
   * Wrong lengths, points not on the curve and non-canonical signatures all give false.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH
        || signature == null || signature.length != SIGNATURE_LENGTH || message == null) {
      return false;
    }
    Ed25519PublicKeyParameters key;
    try {
      key = new Ed25519PublicKeyParameters(publicKey, 0);
    } catch (IllegalArgumentException e) {
      return false; // not a valid point encoding
    }
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  private static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException(
          "Ed25519 seed must be " + SEED_LENGTH + " bytes, got "
              + (seed == null ? "null" : seed.length));
    }
    return new Ed25519PrivateKeyParameters(seed, 0);
  }
}
