package org.cairnfs.caps.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * SHA-256 with a domain-separation tag: {@code H(tag, x) = SHA-256(netstring(tag) || x)}.
 *
 * <p>The digest comes from {@link CryptoProviders} (the JDK's, with its SHA-NI intrinsic, as
 * measured in docs/benchmarks/crypto.md). Instances
 * of the incremental form are not thread-safe; the static helpers are.
 */
public final class TaggedHash {
  public static final int LENGTH = 32;

  private final MessageDigest digest;
  private final byte[] prefix;

  private TaggedHash(Tag tag) {
    this.digest = newSha256();
    this.prefix = netstring(tag.text().getBytes(StandardCharsets.US_ASCII));
    digest.update(prefix);
  }

  /** Starts an incremental hash under {@code tag}. */
  public static TaggedHash start(Tag tag) {
    return new TaggedHash(tag);
  }

  /** H(tag, parts[0] || parts[1] || ...). */
  public static byte[] of(Tag tag, byte[]... parts) {
    TaggedHash h = new TaggedHash(tag);
    for (byte[] p : parts) {
      h.update(p);
    }
    return h.finish();
  }

  public TaggedHash update(byte[] data) {
    digest.update(data);
    return this;
  }

  public TaggedHash update(byte[] data, int offset, int length) {
    digest.update(data, offset, length);
    return this;
  }

  public TaggedHash update(ByteBuffer data) {
    digest.update(data);
    return this;
  }

  /**
   * The hash of what was fed so far, without ending it: more may be fed afterwards, and {@link
   * #finish} then hashes everything. Costs one copy of the digest state and one final block.
   */
  public byte[] peek() {
    try {
      return ((MessageDigest) digest.clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 cannot be cloned", e);
    }
  }

  /** Returns the 32-byte hash and resets to hash a new value under the same tag. */
  public byte[] finish() {
    byte[] out = digest.digest();
    digest.update(prefix);
    return out;
  }

  /** {@code len ":" bytes ","}, the framing that keeps a tag from running into its data. */
  public static byte[] netstring(byte[] data) {
    byte[] len = Integer.toString(data.length).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[len.length + 1 + data.length + 1];
    System.arraycopy(len, 0, out, 0, len.length);
    out[len.length] = ':';
    System.arraycopy(data, 0, out, len.length + 1, data.length);
    out[out.length - 1] = ',';
    return out;
  }

  static MessageDigest newSha256() {
    return CryptoProviders.sha256();
  }
}
