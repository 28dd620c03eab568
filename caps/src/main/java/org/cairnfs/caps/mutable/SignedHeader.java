package org.cairnfs.caps.mutable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;

/**
 * The part of a mutable version its Ed25519 signature covers: everything a reader must trust
 * before it looks at a single block.
 *
 * <p>The root hash is the root of the share hash tree, which pins every block of every share;
 * the salt makes each version's data key fresh even when the plaintext repeats; the parameters
 * fix how blocks are cut. The signature is over {@code H(MUTABLE_SIGNATURE, encode())}, never
 * over the raw bytes, so it cannot be replayed for another purpose. Layout (77 bytes, all
 * integers big-endian) in {@code docs/specs/mutable-share.md}.
 */
public record SignedHeader(long seqnum, byte[] rootHash, byte[] salt, int k, int n,
    int segmentSize, long dataLength) {
  /** ASCII "CMUT". */
  static final byte[] MAGIC = {'C', 'M', 'U', 'T'};
  public static final int VERSION = 1;
  public static final int LENGTH = 77;
  public static final int SALT_LENGTH = 16;
  public static final int MAX_SHARES = 256;
  /** Largest segment a reader must be willing to hold in memory. */
  public static final int MAX_SEGMENT_SIZE = 1 << 26;
  /**
   * Largest stripe, {@code n * segmentSize / k}: the n blocks of one segment, which is what a
   * reader that must rebuild data holds at once. Without it one signed header (k=1, n=256, a
   * 64 MiB segment) would ask every reader for 16 GiB.
   */
  public static final int MAX_STRIPE = 1 << 26;
  /** 256 TiB: keeps every offset computation far from overflow. */
  public static final long MAX_DATA_LENGTH = 1L << 48;

  public SignedHeader {
    if (seqnum < 0) {
      throw new MutableShareFormatException("seqnum must be in 0..2^63-1, got " + seqnum);
    }
    if (rootHash == null || rootHash.length != TaggedHash.LENGTH) {
      throw new MutableShareFormatException("root hash must be 32 bytes");
    }
    if (salt == null || salt.length != SALT_LENGTH) {
      throw new MutableShareFormatException("salt must be 16 bytes");
    }
    checkParams(k, n, segmentSize, dataLength);
    rootHash = rootHash.clone();
    salt = salt.clone();
  }

  /** The encoding rules on k, n, segment size and length, shared with the writer. */
  static void checkParams(int k, int n, int segmentSize, long dataLength) {
    if (k < 1 || k > MAX_SHARES) {
      throw new MutableShareFormatException("k must be in 1.." + MAX_SHARES + ", got " + k);
    }
    if (n < k || n > MAX_SHARES) {
      throw new MutableShareFormatException(
          "n must be in k(" + k + ").." + MAX_SHARES + ", got " + n);
    }
    if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE || segmentSize % k != 0) {
      throw new MutableShareFormatException("segment size must be a positive multiple of k ("
          + k + ") at most " + MAX_SEGMENT_SIZE + ", got " + segmentSize);
    }
    if ((long) n * (segmentSize / k) > MAX_STRIPE) {
      throw new MutableShareFormatException("n (" + n + ") blocks of segment size " + segmentSize
          + " / k (" + k + ") make a stripe of more than " + MAX_STRIPE + " bytes");
    }
    if (dataLength < 0 || dataLength > MAX_DATA_LENGTH) {
      throw new MutableShareFormatException(
          "data length must be in 0.." + MAX_DATA_LENGTH + ", got " + dataLength);
    }
    if ((dataLength + segmentSize - 1) / segmentSize > MerkleTree.MAX_LEAVES) {
      throw new MutableShareFormatException("data length " + dataLength + " at segment size "
          + segmentSize + " makes more than " + MerkleTree.MAX_LEAVES + " segments");
    }
  }

  /**
   * Parses the 77 bytes at {@code offset}.
   *
   * @throws MutableShareFormatException on short input, bad magic, unknown version or
   *     impossible parameters
   */
  public static SignedHeader parse(byte[] bytes, int offset) {
    if (offset < 0 || bytes.length - offset < LENGTH) {
      throw new MutableShareFormatException("a signed header needs " + LENGTH + " bytes, got "
          + Math.max(0, bytes.length - Math.max(0, offset)));
    }
    if (!Arrays.equals(bytes, offset, offset + 4, MAGIC, 0, 4)) {
      throw new MutableShareFormatException("not a mutable share: bad magic");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, offset + 4, LENGTH - 4);
    int version = b.get() & 0xff;
    if (version != VERSION) {
      throw new MutableShareFormatException("unknown mutable share version " + version);
    }
    long seqnum = b.getLong();
    byte[] root = new byte[TaggedHash.LENGTH];
    b.get(root);
    byte[] salt = new byte[SALT_LENGTH];
    b.get(salt);
    int k = b.getShort() & 0xffff;
    int n = b.getShort() & 0xffff;
    int segmentSize = b.getInt();
    long dataLength = b.getLong();
    return new SignedHeader(seqnum, root, salt, k, n, segmentSize, dataLength);
  }

  /** The 77 signed bytes. */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(MAGIC).put((byte) VERSION).putLong(seqnum).put(rootHash).put(salt)
        .putShort((short) k).putShort((short) n).putInt(segmentSize).putLong(dataLength);
    return b.array();
  }

  /** What the signature covers: H(MUTABLE_SIGNATURE, encode()). */
  public byte[] signedDigest() {
    return TaggedHash.of(Tag.MUTABLE_SIGNATURE, encode());
  }

  /** The version this header belongs to. */
  public VersionId versionId() {
    return new VersionId(seqnum, rootHash);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedHeader h && seqnum == h.seqnum && k == h.k && n == h.n
        && segmentSize == h.segmentSize && dataLength == h.dataLength
        && Arrays.equals(rootHash, h.rootHash) && Arrays.equals(salt, h.salt);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "SignedHeader[seqnum=" + seqnum + ", root=" + HexFormat.of().formatHex(rootHash)
        + ", " + k + "-of-" + n + ", segment=" + segmentSize + ", length=" + dataLength + "]";
  }
}
