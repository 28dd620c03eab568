package org.cairnfs.caps.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import javax.crypto.Cipher;

/**
 * Which JCA provider serves each primitive: the native one (Conscrypt, BoringSSL behind JCA)
 * where it is installed and measured faster, the JDK's otherwise.
 *
 * <p>Why: a one-shot CLI command runs in a cold JVM, where the JDK's AES runs interpreted
 * until its intrinsic is compiled seconds later, while BoringSSL is at full speed from its
 * first call (docs/benchmarks/crypto.md). The choice per primitive, from those measurements:
 * AES-256-CTR and AES-256-GCM go native when available; SHA-256 stays on the JDK, whose
 * intrinsic (SHA-NI) is close to BoringSSL's cold and wins on the many small hashes of Merkle
 * trees, where each native call pays a JNI crossing. ECDSA P-256 verification (node
 * announcements) goes native: the JDK's is pure Java, 19 times slower warm (1.6 ms against
 * 0.084 ms per verify) and 20 times in a cold JVM's first second.
 *
 * <p>This module never loads a native library itself (it stays pure): the process edge (the
 * CLI, a benchmark) registers the provider with {@link Security#addProvider}, at the lowest
 * priority so nothing else (TLS, key factories) changes, and this class finds it by name. A
 * process that registers nothing, or runs where the library does not load, gets the JDK's
 * providers. {@code -Dcairn.crypto.native=false} forces the JDK's even when it is registered.
 * All three providers produce identical bytes (tested), so the choice never changes a format.
 */
public final class CryptoProviders {
  /** The name the native provider registers under. */
  public static final String NATIVE = "Conscrypt";
  /** System property that, set to {@code false}, keeps every primitive on the JDK. */
  public static final String NATIVE_PROPERTY = "cairn.crypto.native";

  private CryptoProviders() {}

  /** The primitives this module uses, with the provider kind each prefers. */
  public enum Primitive {
    AES_CTR("Cipher", "AES/CTR/NoPadding", true),
    AES_GCM("Cipher", "AES/GCM/NoPadding", true),
    SHA_256("MessageDigest", "SHA-256", false),
    ECDSA_SHA256("Signature", "SHA256withECDSA", true);

    final String type;
    final String algorithm;
    final boolean prefersNative;

    Primitive(String type, String algorithm, boolean prefersNative) {
      this.type = type;
      this.algorithm = algorithm;
      this.prefersNative = prefersNative;
    }
  }

  /** An uninitialised {@code AES/CTR/NoPadding} cipher from the chosen provider. */
  public static Cipher aesCtr() throws GeneralSecurityException {
    return cipher(Primitive.AES_CTR);
  }

  /** An uninitialised {@code AES/GCM/NoPadding} cipher from the chosen provider. */
  public static Cipher aesGcm() throws GeneralSecurityException {
    return cipher(Primitive.AES_GCM);
  }

  /** A SHA-256 digest from the chosen provider. */
  public static MessageDigest sha256() {
    Provider p = providerFor(Primitive.SHA_256);
    try {
      return p == null ? MessageDigest.getInstance("SHA-256") : MessageDigest.getInstance("SHA-256", p);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in " + (p == null ? "the JDK" : p.getName()), e);
    }
  }

  /** An uninitialised {@code SHA256withECDSA} signature from the chosen provider. */
  public static Signature ecdsaSha256() throws GeneralSecurityException {
    Provider p = providerFor(Primitive.ECDSA_SHA256);
    return p == null ? Signature.getInstance(Primitive.ECDSA_SHA256.algorithm)
        : Signature.getInstance(Primitive.ECDSA_SHA256.algorithm, p);
  }

  /** One line naming the provider of each primitive, for status output and logs. */
  public static String describe() {
    StringBuilder out = new StringBuilder();
    for (Primitive primitive : Primitive.values()) {
      Provider p = providerFor(primitive);
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(primitive.algorithm).append(": ")
          .append(p != null ? p.getName() : defaultProviderName(primitive));
    }
    return out.toString();
  }

  /** The provider {@code primitive} uses now: the registered native one, or null (the JDK). */
  static Provider providerFor(Primitive primitive) {
    return choose(primitive, Security.getProvider(NATIVE),
        !"false".equalsIgnoreCase(System.getProperty(NATIVE_PROPERTY)));
  }

  /**
   * The decision itself, pure: the native provider when the primitive prefers it, native use
   * is allowed, and that provider really offers the algorithm; otherwise null (the JDK).
   */
  static Provider choose(Primitive primitive, Provider registeredNative, boolean nativeAllowed) {
    if (!nativeAllowed || !primitive.prefersNative || registeredNative == null) {
      return null;
    }
    return registeredNative.getService(primitive.type, primitive.algorithm) != null
        || registeredNative.getService(primitive.type, baseName(primitive.algorithm)) != null
        ? registeredNative : null;
  }

  private static Cipher cipher(Primitive primitive) throws GeneralSecurityException {
    Provider p = providerFor(primitive);
    return p == null ? Cipher.getInstance(primitive.algorithm)
        : Cipher.getInstance(primitive.algorithm, p);
  }

  private static String baseName(String transformation) {
    int slash = transformation.indexOf('/');
    return slash < 0 ? transformation : transformation.substring(0, slash);
  }

  private static String defaultProviderName(Primitive primitive) {
    try {
      switch (primitive.type) {
        case "MessageDigest":
          return MessageDigest.getInstance(primitive.algorithm).getProvider().getName();
        case "Signature":
          return Signature.getInstance(primitive.algorithm).getProvider().getName();
        default:
          return Cipher.getInstance(primitive.algorithm).getProvider().getName();
      }
    } catch (GeneralSecurityException e) {
      return "none";
    }
  }
}
