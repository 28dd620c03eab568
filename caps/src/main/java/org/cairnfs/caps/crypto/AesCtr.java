package org.cairnfs.caps.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-CTR through JCA, positioned anywhere in the key stream. The provider is the one
 * {@link CryptoProviders} chooses (native when registered, else the JDK's intrinsified one).
 *
 * <p>The counter block is the 128-bit big-endian number {@code byteOffset / 16}; a stream
 * started at offset 0 and one started at any later offset agree, which is what random reads of
 * a segment need. CTR is its own inverse, so the same call encrypts and decrypts.
 */
public final class AesCtr {
  public static final int KEY_LENGTH = 32;

  private AesCtr() {}

  /** A cipher positioned at {@code byteOffset} of the key stream of {@code key}. */
  public static Cipher at(byte[] key, long byteOffset) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + key.length);
    }
    if (byteOffset < 0) {
      throw new IllegalArgumentException("negative key stream offset " + byteOffset);
    }
    long block = byteOffset >>> 4;
    byte[] iv = new byte[16];
    for (int i = 0; i < 8; i++) {
      iv[15 - i] = (byte) (block >>> (8 * i));
    }
    try {
      Cipher c = CryptoProviders.aesCtr();
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      int skip = (int) (byteOffset & 15);
      if (skip > 0) {
        c.update(new byte[skip]);
      }
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no usable AES/CTR/NoPadding", e);
    }
  }

  /** Encrypts or decrypts {@code data} in place as if it sat at {@code byteOffset}. */
  public static void apply(byte[] key, long byteOffset, byte[] data, int off, int len) {
    try {
      at(key, byteOffset).update(data, off, len, data, off);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
