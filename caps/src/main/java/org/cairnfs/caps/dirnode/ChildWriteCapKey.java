package org.cairnfs.caps.dirnode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.crypto.CryptoProviders;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Seals and opens the write caps of a directory's children.
 *
 * <p>The key is {@code H(DIRECTORY_WRITECAP_KEY, directory write key)}: only a holder of the
 * directory's write cap can derive it, so a read-cap holder sees read caps of the children and
 * nothing more. AES-256-GCM authenticates each sealed cap and binds it (as associated data) to
 * the entry's name, so a server or read-cap holder cannot alter a sealed cap or swap sealed caps
 * between entries unnoticed. Each seal draws a fresh random 12-byte nonce; a directory would
 * need billions of seals under one key before nonce collisions matter.
 */
public final class ChildWriteCapKey {
  private final SecretKeySpec key;

  private ChildWriteCapKey(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The sealing key of the directory {@code directory}. */
  public static ChildWriteCapKey of(DirectoryWriteCap directory) {
    return new ChildWriteCapKey(
        TaggedHash.of(Tag.DIRECTORY_WRITECAP_KEY, directory.file().writeKey()));
  }

  /** Seals {@code writeCap} (its string form) for the entry named {@code name}. */
  public SealedWriteCap seal(EntryName name, String writeCap, SecureRandom random) {
    byte[] plain = DirectoryEntry.checkCapText(writeCap, "write cap of " + name)
        .getBytes(StandardCharsets.US_ASCII);
    byte[] box = new byte[SealedWriteCap.NONCE_LENGTH + plain.length + SealedWriteCap.TAG_LENGTH];
    byte[] nonce = new byte[SealedWriteCap.NONCE_LENGTH];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, box, 0, nonce.length);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, name);
      c.doFinal(plain, 0, plain.length, box, nonce.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to encrypt", e);
    }
    return new SealedWriteCap(box);
  }

  /**
   * The write cap string sealed for {@code name}.
   *
   * @throws DirectoryIntegrityException if the box was altered, belongs to another name, or was
   *     sealed under another directory's key
   */
  public String open(EntryName name, SealedWriteCap sealed) {
    byte[] box = sealed.boxUnsafe();
    byte[] nonce = Arrays.copyOf(box, SealedWriteCap.NONCE_LENGTH);
    byte[] plain;
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, nonce, name);
      plain = c.doFinal(box, nonce.length, box.length - nonce.length);
    } catch (AEADBadTagException e) {
      throw new DirectoryIntegrityException("the sealed write cap of entry \"" + name
          + "\" fails authentication (altered, moved from another entry, or another key)", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to decrypt", e);
    }
    String text = new String(plain, StandardCharsets.US_ASCII);
    try {
      return DirectoryEntry.checkCapText(text, "write cap of " + name);
    } catch (DirectoryFormatException e) {
      // Authentic but not a cap string: the writer was buggy; still never return it.
      throw new DirectoryIntegrityException(e.getMessage(), e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, EntryName name)
      throws GeneralSecurityException {
    Cipher c = CryptoProviders.aesGcm();
    c.init(mode, key, new GCMParameterSpec(SealedWriteCap.TAG_LENGTH * 8, nonce));
    c.updateAAD(name.utf8Unsafe());
    return c;
  }

  @Override
  public String toString() {
    return "ChildWriteCapKey[redacted]";
  }
}
