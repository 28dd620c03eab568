package org.cairnfs.introducer.announcement;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/**
 * The signature algorithms a node key may use, with their wire byte in announcements. They
 * mirror protocol's {@code KeyAlgorithm} (ECDSA P-256 by default, Ed25519 where a key file has it).
 */
enum SignatureScheme {
  ED25519(1, "Ed25519"),
  ECDSA_P256(2, "EC");

  private final int wire;
  private final String keyAlgorithm;

  SignatureScheme(int wire, String keyAlgorithm) {
    this.wire = wire;
    this.keyAlgorithm = keyAlgorithm;
  }

  int wire() {
    return wire;
  }

  static SignatureScheme fromWire(int value) throws AnnouncementException {
    for (SignatureScheme s : values()) {
      if (s.wire == value) {
        return s;
      }
    }
    throw new AnnouncementException("unknown key algorithm byte " + value);
  }

  /** An Ed25519 SubjectPublicKeyInfo: a 12-byte header, then the 32-byte key. */
  private static final int ED25519_SPKI_LENGTH = 44;

  /** The scheme of a JCA public key; IllegalArgumentException for a kind we do not use. */
  static SignatureScheme of(PublicKey key) {
    String alg = key.getAlgorithm();
    if (alg.equals("Ed25519") || alg.equals("EdDSA")) {
      return ED25519;
    }
    if (alg.equals("EC")) {
      return ECDSA_P256;
    }
    throw new IllegalArgumentException("node keys must be Ed25519 or ECDSA P-256, got " + alg);
  }

  /** Decodes an X.509 SubjectPublicKeyInfo of this scheme. */
  PublicKey decodeKey(byte[] spki) throws AnnouncementException {
    try {
      PublicKey key = KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(spki));
      if (of(key) != this) {
        throw new AnnouncementException("public key is " + key.getAlgorithm() + ", not " + this);
      }
      if (this == ECDSA_P256 && key instanceof java.security.interfaces.ECPublicKey ec
          && ec.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new AnnouncementException("ECDSA public key is not on a 256-bit curve");
      }
      return key;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new AnnouncementException("public key does not decode as " + this + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code signature} signs {@code message} under {@code key}. Ed25519 goes through
   * Bouncy Castle's low-level verifier, about 0.1 ms against the JDK's 0.8 ms on this project's
   * test machines (2026-12-06); ECDSA goes through the native provider when the process
   * registered one ({@code CryptoProviders}: BoringSSL, 0.084 ms against the JDK's 1.6 ms). Every
   * announcement an introducer or a node takes in is checked, so this is what a flood of them
   * costs.
   */
  boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (this == ED25519) {
      byte[] spki = key.getEncoded();
      return spki != null && spki.length == ED25519_SPKI_LENGTH
          && org.cairnfs.caps.crypto.Ed25519.verify(java.util.Arrays.copyOfRange(spki,
              spki.length - org.cairnfs.caps.crypto.Ed25519.PUBLIC_KEY_LENGTH, spki.length),
              message, signature);
    }
    try {
      Signature s = org.cairnfs.caps.crypto.CryptoProviders.ecdsaSha256(); // ECDSA_P256
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
