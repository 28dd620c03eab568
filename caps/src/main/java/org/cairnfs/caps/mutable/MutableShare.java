package org.cairnfs.caps.mutable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.cairnfs.caps.crypto.Ed25519;
import org.cairnfs.caps.share.ShareSource;

/**
 * The self-describing front of one mutable share: signed header, verifying key, signature,
 * share number, encrypted signing key, offset table and share hash chain (layout in {@code
 * docs/specs/mutable-share.md}). The block hash tree and blocks that follow are read piecemeal
 * by {@link MutableFileReader}.
 *
 * <p>Parsing checks form only (lengths, magic, parameters, offsets equal to the ones the
 * parameters imply); {@link #authenticate} checks authority (key and signature). Keeping the two
 * apart lets a client list versions cheaply and lets a fuzzer reach every branch.
 */
public final class MutableShare {
  private final SignedHeader header;
  private final byte[] verifyingKey;
  private final byte[] signature;
  private final int shareNumber;
  private final byte[] encryptedSeed;
  private final byte[][] chain;
  private final ShareLayout layout;

  private MutableShare(SignedHeader header, byte[] verifyingKey, byte[] signature,
      int shareNumber, byte[] encryptedSeed, byte[][] chain) {
    this.header = header;
    this.verifyingKey = verifyingKey;
    this.signature = signature;
    this.shareNumber = shareNumber;
    this.encryptedSeed = encryptedSeed;
    this.chain = chain;
    this.layout = ShareLayout.of(header);
  }

  /**
   * Parses a whole share held in memory; its length must be exactly what the header implies.
   *
   * @throws MutableShareFormatException on any malformation; nothing else
   */
  public static MutableShare parse(byte[] share) {
    MutableShare s = parsePrefix(share);
    if (share.length != s.layout.end()) {
      throw new MutableShareFormatException("share is " + share.length
          + " bytes but its parameters imply " + s.layout.end());
    }
    return s;
  }

  /**
   * Parses the front of a share (at least {@link #prefixLength()} bytes; more are ignored).
   *
   * @throws MutableShareFormatException on any malformation; nothing else
   */
  public static MutableShare parsePrefix(byte[] bytes) {
    if (bytes.length < ShareLayout.FIXED_LENGTH) {
      throw new MutableShareFormatException("a mutable share starts with "
          + ShareLayout.FIXED_LENGTH + " fixed bytes, got " + bytes.length);
    }
    SignedHeader header = SignedHeader.parse(bytes, 0);
    ShareLayout layout = ShareLayout.of(header);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.position(SignedHeader.LENGTH);
    byte[] key = new byte[Ed25519.PUBLIC_KEY_LENGTH];
    b.get(key);
    byte[] sig = new byte[Ed25519.SIGNATURE_LENGTH];
    b.get(sig);
    int shareNumber = b.getShort() & 0xffff;
    if (shareNumber >= header.n()) {
      throw new MutableShareFormatException(
          "share number " + shareNumber + " is not below n=" + header.n());
    }
    byte[] seed = new byte[Ed25519.SEED_LENGTH];
    b.get(seed);
    long[] stored = {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
    long[] expected = {layout.chainOffset(), layout.blockTreeOffset(), layout.blocksOffset(),
        layout.end()};
    String[] names = {"share hash chain", "block hash tree", "blocks", "end"};
    for (int i = 0; i < 4; i++) {
      if (stored[i] != expected[i]) {
        throw new MutableShareFormatException("offset of " + names[i] + " is " + stored[i]
            + ", the parameters imply " + expected[i]);
      }
    }
    int chainBytes = layout.chainHashes() * ShareLayout.HASH;
    if (bytes.length - ShareLayout.FIXED_LENGTH < chainBytes) {
      throw new MutableShareFormatException("share hash chain needs " + chainBytes
          + " bytes, got " + (bytes.length - ShareLayout.FIXED_LENGTH));
    }
    byte[][] chain = new byte[layout.chainHashes()][ShareLayout.HASH];
    for (byte[] h : chain) {
      b.get(h);
    }
    return new MutableShare(header, key, sig, shareNumber, seed, chain);
  }

  /** Reads and parses the front of a share from a server (two small reads). */
  public static MutableShare read(ShareSource source) throws IOException {
    byte[] fixed = source.read(0, ShareLayout.FIXED_LENGTH);
    SignedHeader header = SignedHeader.parse(fixed, 0);
    int chainBytes = ShareLayout.of(header).chainHashes() * ShareLayout.HASH;
    byte[] all = Arrays.copyOf(fixed, ShareLayout.FIXED_LENGTH + chainBytes);
    source.read(ShareLayout.FIXED_LENGTH, all, ShareLayout.FIXED_LENGTH, chainBytes);
    return parsePrefix(all);
  }

  /** The front of a share as the writer lays it out. */
  static byte[] encodePrefix(SignedHeader header, byte[] verifyingKey, byte[] signature,
      int shareNumber, byte[] encryptedSeed, byte[][] chain) {
    ShareLayout layout = ShareLayout.of(header);
    ByteBuffer b = ByteBuffer.allocate(ShareLayout.FIXED_LENGTH + chain.length * ShareLayout.HASH);
    b.put(header.encode()).put(verifyingKey).put(signature).putShort((short) shareNumber)
        .put(encryptedSeed).putLong(layout.chainOffset()).putLong(layout.blockTreeOffset())
        .putLong(layout.blocksOffset()).putLong(layout.end());
    for (byte[] h : chain) {
      b.put(h);
    }
    return b.array();
  }

  /** Bytes {@link #parsePrefix} needs for this share's parameters. */
  public int prefixLength() {
    return ShareLayout.FIXED_LENGTH + chain.length * ShareLayout.HASH;
  }

  /**
   * Length of the whole share as its signed parameters lay it out, so a reader that fetched
   * the front knows how much more to fetch.
   */
  public long shareLength() {
    return layout.end();
  }

  /** Whether the signature verifies over the header under the embedded key. */
  public boolean signatureValid() {
    return Ed25519.verify(verifyingKey, header.signedDigest(), signature);
  }

  /**
   * Checks that this share speaks for the slot whose fingerprint is {@code fingerprint}: the
   * embedded key must hash to it and the signature must verify.
   *
   * @throws MutableIntegrityException naming this share's number otherwise
   */
  public void authenticate(byte[] fingerprint) {
    if (!MessageDigest.isEqual(MutableKeys.fingerprintOf(verifyingKey), fingerprint)) {
      throw new MutableIntegrityException("share " + shareNumber
          + " carries a verifying key of another slot");
    }
    if (!signatureValid()) {
      throw new MutableIntegrityException("share " + shareNumber
          + " has a signature that does not verify");
    }
  }

  public SignedHeader header() {
    return header;
  }

  public byte[] verifyingKey() {
    return verifyingKey.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  public int shareNumber() {
    return shareNumber;
  }

  /** The signing key seed, encrypted; {@link MutableKeys#recover} opens it with a write cap. */
  public byte[] encryptedSeed() {
    return encryptedSeed.clone();
  }

  /** Sibling hashes proving this share's leaf in the share hash tree, bottom-up. */
  public byte[][] chain() {
    byte[][] out = new byte[chain.length][];
    for (int i = 0; i < chain.length; i++) {
      out[i] = chain[i].clone();
    }
    return out;
  }

  byte[][] chainUnsafe() {
    return chain;
  }

  ShareLayout layout() {
    return layout;
  }

  @Override
  public String toString() {
    return "MutableShare[" + shareNumber + " of " + header + "]";
  }
}
