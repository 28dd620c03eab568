package org.cairnfs.caps.immutable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;

/**
 * What every share of a file carries identically and the cap pins by hash: the encoding
 * parameters, sizes, and the root of the share hash tree. Once its hash matches the cap, a
 * reader trusts everything in it; from it alone the whole share layout follows.
 *
 * <p>The segment tree root commits the uploader to each segment's data blocks, which is what
 * makes every k-subset of shares decode to the same ciphertext (or be detected as inconsistent).
 *
 * <p>Fixed 96 bytes, big-endian: magic "cairnext", version u16, k u16, happy u16, n u16,
 * segment size u32, file size u64, segment count u32, share tree root 32 bytes, segment tree
 * root 32 bytes.
 */
public record ExtensionBlock(EncodingParams params, long fileSize, int segmentCount,
    byte[] shareTreeRoot, byte[] segmentTreeRoot) {
  static final byte[] MAGIC = "cairnext".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  public static final int LENGTH = 96;

  public ExtensionBlock {
    if (fileSize < 1) {
      throw new IllegalArgumentException("file size must be positive, got " + fileSize);
    }
    long expected = segmentCount(fileSize, params.segmentSize());
    if (expected > MerkleTree.MAX_LEAVES) {
      throw new IllegalArgumentException("file size " + fileSize + " with segment size "
          + params.segmentSize() + " needs " + expected + " segments, more than "
          + MerkleTree.MAX_LEAVES);
    }
    if (segmentCount != expected) {
      throw new IllegalArgumentException(
          "segment count " + segmentCount + " does not match size: expected " + expected);
    }
    if (shareTreeRoot.length != TaggedHash.LENGTH) {
      throw new IllegalArgumentException(
          "share tree root must be 32 bytes, got " + shareTreeRoot.length);
    }
    if (segmentTreeRoot.length != TaggedHash.LENGTH) {
      throw new IllegalArgumentException(
          "segment tree root must be 32 bytes, got " + segmentTreeRoot.length);
    }
    shareTreeRoot = shareTreeRoot.clone();
    segmentTreeRoot = segmentTreeRoot.clone();
  }

  static long segmentCount(long fileSize, int segmentSize) {
    return fileSize / segmentSize + (fileSize % segmentSize == 0 ? 0 : 1);
  }

  @Override
  public byte[] shareTreeRoot() {
    return shareTreeRoot.clone();
  }

  @Override
  public byte[] segmentTreeRoot() {
    return segmentTreeRoot.clone();
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(MAGIC).putShort((short) VERSION).putShort((short) params.k())
        .putShort((short) params.happy()).putShort((short) params.n())
        .putInt(params.segmentSize()).putLong(fileSize).putInt(segmentCount).put(shareTreeRoot)
        .put(segmentTreeRoot);
    return b.array();
  }

  /** H(EXTENSION_BLOCK, encoded bytes): the value an immutable cap carries. */
  public byte[] hash() {
    return TaggedHash.of(Tag.EXTENSION_BLOCK, encode());
  }

  /** Parses untrusted bytes; every field is range-checked. */
  public static ExtensionBlock parse(byte[] bytes) throws ShareFormatException {
    if (bytes.length != LENGTH) {
      throw new ShareFormatException(
          "extension block must be " + LENGTH + " bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new ShareFormatException("extension block magic is wrong");
    }
    int version = Short.toUnsignedInt(b.getShort());
    if (version != VERSION) {
      throw new ShareFormatException("extension block version " + version + " is unknown");
    }
    int k = Short.toUnsignedInt(b.getShort());
    int happy = Short.toUnsignedInt(b.getShort());
    int n = Short.toUnsignedInt(b.getShort());
    int segmentSize = b.getInt();
    long fileSize = b.getLong();
    int segmentCount = b.getInt();
    byte[] root = new byte[TaggedHash.LENGTH];
    b.get(root);
    byte[] segmentRoot = new byte[TaggedHash.LENGTH];
    b.get(segmentRoot);
    try {
      return new ExtensionBlock(new EncodingParams(k, happy, n, segmentSize), fileSize,
          segmentCount, root, segmentRoot);
    } catch (IllegalArgumentException e) {
      throw new ShareFormatException("extension block: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExtensionBlock e && params.equals(e.params) && fileSize == e.fileSize
        && segmentCount == e.segmentCount && Arrays.equals(shareTreeRoot, e.shareTreeRoot)
        && Arrays.equals(segmentTreeRoot, e.segmentTreeRoot);
  }

  @Override
  public int hashCode() {
    return params.hashCode() * 31 + Long.hashCode(fileSize) * 17 + Arrays.hashCode(shareTreeRoot)
        + 7 * Arrays.hashCode(segmentTreeRoot);
  }

  @Override
  public String toString() {
    return "ExtensionBlock[" + params + ", size=" + fileSize + ", segments=" + segmentCount + "]";
  }
}
