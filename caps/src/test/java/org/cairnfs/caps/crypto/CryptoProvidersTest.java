package org.cairnfs.caps.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.cairnfs.caps.crypto.CryptoProviders.Primitive;
import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The provider choice, and that the native provider and the JDK's give the same bytes for
 * everything caps asks of them (so the choice can never change a format).
 */
class CryptoProvidersTest {
  private static final HexFormat HEX = HexFormat.of();
  static Provider conscrypt;

  @BeforeAll
  static void loadNative() {
    // The native library loads on this project's machines; where it cannot, skip, as the
    // product falls back to the JDK there.
    assumeThat(Conscrypt.isAvailable()).as("Conscrypt's native library loads here").isTrue();
    conscrypt = Conscrypt.newProvider();
  }

  @ParameterizedTest
  @EnumSource(Primitive.class)
  void withNothingRegisteredEveryPrimitiveUsesTheJdk(Primitive p) {
    assertThat(CryptoProviders.choose(p, null, true)).isNull();
  }

  @Test
  void aesGoesNativeWhenRegisteredAndSha256StaysOnTheJdk() {
    assertThat(CryptoProviders.choose(Primitive.AES_CTR, conscrypt, true)).isSameAs(conscrypt);
    assertThat(CryptoProviders.choose(Primitive.AES_GCM, conscrypt, true)).isSameAs(conscrypt);
    assertThat(CryptoProviders.choose(Primitive.SHA_256, conscrypt, true)).isNull();
    assertThat(CryptoProviders.choose(Primitive.ECDSA_SHA256, conscrypt, true))
        .isSameAs(conscrypt);
  }

  @Test
  void ecdsaVerdictsAgreeAcrossProviders() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    java.security.KeyPair kp = g.generateKeyPair();
    java.util.Random r = new java.util.Random(7);
    java.util.List<java.security.Provider> both = java.util.Arrays.asList(null, conscrypt);
    for (int i = 0; i < 6; i++) {
      byte[] msg = new byte[i == 0 ? 0 : r.nextInt(400)];
      r.nextBytes(msg);
      for (java.security.Provider signer : both) {
        java.security.Signature s = signer == null
            ? java.security.Signature.getInstance("SHA256withECDSA")
            : java.security.Signature.getInstance("SHA256withECDSA", signer);
        s.initSign(kp.getPrivate());
        s.update(msg);
        byte[] sig = s.sign();
        byte[] other = msg.clone();
        if (other.length > 0) {
          other[r.nextInt(other.length)] ^= 1;
        }
        byte[] cut = java.util.Arrays.copyOf(sig, sig.length - 1);
        byte[] longer = java.util.Arrays.copyOf(sig, sig.length + 1);
        for (java.security.Provider verifier : both) {
          assertThat(verifies(verifier, kp.getPublic(), msg, sig)).isTrue();
          assertThat(verifies(verifier, kp.getPublic(), other, sig)).isEqualTo(other.length == 0);
          assertThat(verifies(verifier, kp.getPublic(), msg, cut)).isFalse();
          assertThat(verifies(verifier, kp.getPublic(), msg, longer)).isFalse();
        }
      }
    }
  }

  private static boolean verifies(java.security.Provider p, java.security.PublicKey key,
      byte[] msg, byte[] sig) throws Exception {
    java.security.Signature v = p == null ? java.security.Signature.getInstance("SHA256withECDSA")
        : java.security.Signature.getInstance("SHA256withECDSA", p);
    v.initVerify(key);
    v.update(msg);
    try {
      return v.verify(sig);
    } catch (java.security.SignatureException malformed) {
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(Primitive.class)
  void theSwitchKeepsEveryPrimitiveOnTheJdk(Primitive p) {
    assertThat(CryptoProviders.choose(p, conscrypt, false)).isNull();
  }

  @Test
  void aProviderLackingTheAlgorithmIsNotChosen() {
    Provider empty = new Provider("Conscrypt", "0", "offers nothing") {};
    assertThat(CryptoProviders.choose(Primitive.AES_CTR, empty, true)).isNull();
  }

  @Test
  void bothProvidersPassTheNistCtrVector() throws Exception {
    // NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt, first block.
    byte[] key = HEX.parseHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    byte[] iv = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    byte[] plain = HEX.parseHex("6bc1bee22e409f96e93d7e117393172a");
    for (Provider p : new Provider[] {null, conscrypt}) {
      Cipher c = p == null ? Cipher.getInstance("AES/CTR/NoPadding")
          : Cipher.getInstance("AES/CTR/NoPadding", p);
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      assertThat(HEX.formatHex(c.update(plain))).as("provider %s", p)
          .isEqualTo("601ec313775789a5b7a7f504bbf3d228");
    }
  }

  @Test
  void aesCtrGivesTheSameKeyStreamAtEveryOffsetAndSplitUnderBothProviders() {
    byte[] key = new byte[32];
    new SplittableRandom(1).nextBytes(key);
    long[] offsets = {0, 1, 15, 16, 17, 4095, 131_072 * 3 + 7, (1L << 36) - 5};
    int[] splits = {1, 15, 16, 17, 1000, 65_536};
    byte[] jdk;
    byte[] nat;
    for (long offset : offsets) {
      for (int split : splits) {
        Security.removeProvider(CryptoProviders.NATIVE);
        jdk = keyStream(key, offset, 70_000, split);
        Security.addProvider(conscrypt);
        try {
          assertThat(Security.getProvider(CryptoProviders.NATIVE)).isSameAs(conscrypt);
          assertThat(AesCtr.at(key, 0).getProvider()).isSameAs(conscrypt);
          nat = keyStream(key, offset, 70_000, split);
        } finally {
          Security.removeProvider(CryptoProviders.NATIVE);
        }
        assertThat(nat).as("offset %d split %d", offset, split).isEqualTo(jdk);
      }
    }
  }

  @Test
  void inPlaceApplyIsTheSameUnderTheNativeProvider() {
    byte[] key = new byte[32];
    key[3] = 9;
    byte[] data = "the same bytes either way, in place".getBytes(StandardCharsets.US_ASCII);
    byte[] jdk = data.clone();
    AesCtr.apply(key, 21, jdk, 0, jdk.length);
    Security.addProvider(conscrypt);
    byte[] nat = data.clone();
    try {
      AesCtr.apply(key, 21, nat, 0, nat.length);
    } finally {
      Security.removeProvider(CryptoProviders.NATIVE);
    }
    assertThat(nat).isEqualTo(jdk).isNotEqualTo(data);
  }

  @Test
  void gcmSealsIdenticallyAndEachProviderOpensTheOthersBox() throws Exception {
    SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
    byte[] nonce = new byte[12];
    nonce[11] = 1;
    byte[] aad = "entry-name".getBytes(StandardCharsets.UTF_8);
    byte[] plain = "cairn:dir:some-write-cap-text".getBytes(StandardCharsets.US_ASCII);
    byte[] byJdk = gcm(null, Cipher.ENCRYPT_MODE, key, nonce, aad, plain);
    byte[] byNative = gcm(conscrypt, Cipher.ENCRYPT_MODE, key, nonce, aad, plain);
    assertThat(byNative).isEqualTo(byJdk);
    assertThat(gcm(null, Cipher.DECRYPT_MODE, key, nonce, aad, byNative)).isEqualTo(plain);
    assertThat(gcm(conscrypt, Cipher.DECRYPT_MODE, key, nonce, aad, byJdk)).isEqualTo(plain);
  }

  @Test
  void nativeSha256MatchesTheJdksAndClonesForPeek() throws Exception {
    byte[] data = new byte[100_000];
    new SplittableRandom(2).nextBytes(data);
    MessageDigest jdk = MessageDigest.getInstance("SHA-256");
    MessageDigest nat = MessageDigest.getInstance("SHA-256", conscrypt);
    jdk.update(data, 0, 777);
    nat.update(data, 0, 777);
    assertThat(((MessageDigest) nat.clone()).digest())
        .isEqualTo(((MessageDigest) jdk.clone()).digest());
    jdk.update(data, 777, data.length - 777);
    nat.update(data, 777, data.length - 777);
    assertThat(nat.digest()).isEqualTo(jdk.digest());
  }

  @Test
  void describeNamesAProviderForEachPrimitive() {
    Security.addProvider(conscrypt);
    try {
      assertThat(CryptoProviders.describe())
          .contains("AES/CTR/NoPadding: Conscrypt", "AES/GCM/NoPadding: Conscrypt", "SHA-256: SUN",
              "SHA256withECDSA: Conscrypt");
    } finally {
      Security.removeProvider(CryptoProviders.NATIVE);
    }
    assertThat(CryptoProviders.describe()).contains("AES/CTR/NoPadding: SunJCE",
        "SHA256withECDSA: SunEC")
        .doesNotContain("Conscrypt");
  }

  private static byte[] keyStream(byte[] key, long offset, int length, int split) {
    byte[] out = new byte[length];
    Cipher c = AesCtr.at(key, offset);
    try {
      for (int done = 0; done < length; done += split) {
        int n = Math.min(split, length - done);
        c.update(out, done, n, out, done);
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  private static byte[] gcm(Provider p, int mode, SecretKeySpec key, byte[] nonce, byte[] aad,
      byte[] in) throws Exception {
    Cipher c = p == null ? Cipher.getInstance("AES/GCM/NoPadding")
        : Cipher.getInstance("AES/GCM/NoPadding", p);
    c.init(mode, key, new GCMParameterSpec(128, nonce));
    c.updateAAD(aad);
    return c.doFinal(in);
  }
}
