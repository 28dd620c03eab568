package org.cairnfs.bench.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One call of each primitive the caps module uses, shaped as the codec and the directory code
 * call it, against an explicit JCA provider (null: the JDK's default choice). Shared by the
 * cold-start runs ({@link ColdCrypto}) and the warm JMH runs ({@link CryptoProviderBenchmark}).
 *
 * <ul>
 *   <li>{@code aes-ctr}: AES-256-CTR over one 128 KiB segment (a fresh cipher per segment, as
 *       {@code AesCtr.at} gives one).</li>
 *   <li>{@code sha256}: SHA-256 of one 43,691-byte block (128 KiB segment, k = 3), as the
 *       codec hashes blocks.</li>
 *   <li>{@code sha256-node}: SHA-256 of a 9-byte tag prefix and a 64-byte pair, a Merkle
 *       interior node: per-call overhead, not bulk speed.</li>
 *   <li>{@code gcm}: seal and open one 120-byte cap with a 20-byte entry name as associated
 *       data, as {@code ChildWriteCapKey} does for every directory entry.</li>
 *   <li>{@code ecdsa-verify}: verify one ECDSA P-256 signature over 300 bytes, as a node or an
 *       introducer checks each announcement (a per-call cost: calls/s is the figure).</li>
 * </ul>
 */
final class CryptoWorkload {
  static final int SEGMENT = 128 << 10;
  static final int BLOCK = (SEGMENT + 2) / 3;
  static final int CAP = 120;

  final String primitive;
  private final Provider provider;
  private final byte[] data;
  private final byte[] out;
  private final SecretKeySpec key;
  private final byte[] prefix = "7:node,,".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private final byte[] aad = new byte[20];
  private long counter;
  private java.security.KeyPair ecKey;
  private byte[] ecSignature;

  CryptoWorkload(String primitive, Provider provider) {
    this.primitive = primitive;
    this.provider = provider;
    this.data = new byte[SEGMENT + 64];
    new SplittableRandom(5).nextBytes(data);
    this.out = new byte[SEGMENT + 64];
    this.key = new SecretKeySpec(java.util.Arrays.copyOf(data, 32), "AES");
    if (!java.util.List.of("aes-ctr", "sha256", "sha256-node", "gcm", "ecdsa-verify")
        .contains(primitive)) {
      throw new IllegalArgumentException("aes-ctr, sha256, sha256-node, gcm or ecdsa-verify,"
          + " not " + primitive);
    }
    if (primitive.equals("ecdsa-verify")) {
      try {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        ecKey = g.generateKeyPair();
        java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
        s.initSign(ecKey.getPrivate());
        s.update(data, 0, 300);
        ecSignature = s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Bytes one {@link #call} processes (for MiB/s); GCM counts its plaintext both ways. */
  int bytesPerCall() {
    return switch (primitive) {
      case "aes-ctr" -> SEGMENT;
      case "sha256" -> BLOCK;
      case "sha256-node" -> 64;
      case "ecdsa-verify" -> 300;
      default -> 2 * CAP;
    };
  }

  /** One call; returns a byte of the result so nothing is optimised away. */
  byte call() throws GeneralSecurityException {
    counter++;
    switch (primitive) {
      case "aes-ctr" -> {
        Cipher c = cipher("AES/CTR/NoPadding");
        byte[] iv = new byte[16];
        iv[15] = (byte) counter;
        c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        c.update(data, 0, SEGMENT, out, 0);
        return out[(int) (counter & 1023)];
      }
      case "sha256", "sha256-node" -> {
        MessageDigest md = provider == null ? MessageDigest.getInstance("SHA-256")
            : MessageDigest.getInstance("SHA-256", provider);
        md.update(prefix);
        md.update(data, (int) (counter & 63), primitive.equals("sha256") ? BLOCK : 64);
        return md.digest()[0];
      }
      case "ecdsa-verify" -> {
        java.security.Signature v = provider == null
            ? java.security.Signature.getInstance("SHA256withECDSA")
            : java.security.Signature.getInstance("SHA256withECDSA", provider);
        v.initVerify(ecKey.getPublic());
        v.update(data, 0, 300);
        if (!v.verify(ecSignature)) {
          throw new IllegalStateException("a good signature did not verify");
        }
        return ecSignature[(int) (counter % ecSignature.length)];
      }
      default -> {
        byte[] nonce = new byte[12];
        nonce[0] = (byte) counter;
        nonce[1] = (byte) (counter >>> 8);
        nonce[2] = (byte) (counter >>> 16);
        Cipher c = cipher("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        c.updateAAD(aad);
        byte[] box = c.doFinal(data, 0, CAP);
        Cipher d = cipher("AES/GCM/NoPadding");
        d.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        d.updateAAD(aad);
        return d.doFinal(box)[0];
      }
    }
  }

  private Cipher cipher(String transformation) throws GeneralSecurityException {
    return provider == null ? Cipher.getInstance(transformation)
        : Cipher.getInstance(transformation, provider);
  }
}
