package org.cairnfs.introducer.announcement;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** Node key pairs for tests, including deterministic ones for golden layouts. */
public final class TestKeys {
  private TestKeys() {}

  public static NodeSigner ed25519() {
    return NodeSigner.of(generate("Ed25519", null));
  }

  public static NodeSigner ecdsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return NodeSigner.of(g.generateKeyPair());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Ed25519 key pair that is the same on every run (seeded generator). */
  public static KeyPair fixedEd25519(int seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return generate("Ed25519", r);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate(String alg, SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      if (random != null) {
        g.initialize(255, random);
      }
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
