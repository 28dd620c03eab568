package org.cairnfs.caps.immutable;

import org.cairnfs.caps.merkle.MerkleTree;

/**
 * Where everything sits inside one share, computed from the parameters and file size alone.
 * All shares of a file have the same layout, and every offset is known before the first byte is
 * encoded, so writers write each piece straight to its place.
 *
 * <pre>
 * header | extension block | share hash chain | segment hash tree | block hash tree | blocks
 * </pre>
 *
 * <p>The segment hash tree (heap order) is the same in every share; the block hash tree (heap
 * order) is the share's own.
 */
public final class ShareLayout {
  static final int CHAIN_ENTRY_LENGTH = 4 + MerkleTree.HASH_LENGTH;

  private final EncodingParams params;
  private final long fileSize;
  private final int segmentCount;
  private final int blockSize;
  private final int lastBlockSize;
  private final int lastSegmentSize;

  private ShareLayout(EncodingParams params, long fileSize, int segmentCount) {
    this.params = params;
    this.fileSize = fileSize;
    this.segmentCount = segmentCount;
    this.blockSize = params.blockSize();
    this.lastSegmentSize = (int) (fileSize - (long) (segmentCount - 1) * params.segmentSize());
    this.lastBlockSize = (lastSegmentSize + params.k() - 1) / params.k();
  }

  /** The layout of a file of {@code fileSize >= 1} bytes. */
  public static ShareLayout of(EncodingParams params, long fileSize) {
    if (fileSize < 1) {
      throw new IllegalArgumentException("file size must be positive, got " + fileSize);
    }
    long segments = ExtensionBlock.segmentCount(fileSize, params.segmentSize());
    if (segments > MerkleTree.MAX_LEAVES) {
      throw new IllegalArgumentException("file of " + fileSize + " bytes has " + segments
          + " segments, more than " + MerkleTree.MAX_LEAVES);
    }
    return new ShareLayout(params, fileSize, (int) segments);
  }

  static ShareLayout of(ExtensionBlock extension) {
    return new ShareLayout(extension.params(), extension.fileSize(), extension.segmentCount());
  }

  public EncodingParams params() {
    return params;
  }

  public long fileSize() {
    return fileSize;
  }

  public int segmentCount() {
    return segmentCount;
  }

  /** Plaintext bytes in segment {@code s}. */
  public int segmentLength(int s) {
    return s == segmentCount - 1 ? lastSegmentSize : params.segmentSize();
  }

  /** Bytes of each block of segment {@code s} (the segment padded to a multiple of k, over k). */
  public int blockLength(int s) {
    return s == segmentCount - 1 ? lastBlockSize : blockSize;
  }

  /** Largest block length, the size of the buffers a coder needs. */
  public int maxBlockLength() {
    return segmentCount == 1 ? lastBlockSize : blockSize;
  }

  public long extensionOffset() {
    return ShareHeader.LENGTH;
  }

  public long chainOffset() {
    return extensionOffset() + ExtensionBlock.LENGTH;
  }

  /** Entries in the share hash chain: the depth of the share tree. */
  public int chainLength() {
    return MerkleTree.depth(params.n());
  }

  /** The segment hash tree, identical in every share: its root is in the extension block. */
  public long segmentTreeOffset() {
    return chainOffset() + (long) chainLength() * CHAIN_ENTRY_LENGTH;
  }

  /** Offset of segment tree node {@code node} (heap numbering). */
  public long segmentTreeNodeOffset(int node) {
    return segmentTreeOffset() + (long) node * MerkleTree.HASH_LENGTH;
  }

  public long blockTreeOffset() {
    return segmentTreeOffset()
        + (long) MerkleTree.nodeCount(segmentCount) * MerkleTree.HASH_LENGTH;
  }

  /** Offset of block tree node {@code node} (heap numbering). */
  public long blockTreeNodeOffset(int node) {
    return blockTreeOffset() + (long) node * MerkleTree.HASH_LENGTH;
  }

  public long blocksOffset() {
    return blockTreeOffset() + (long) MerkleTree.nodeCount(segmentCount) * MerkleTree.HASH_LENGTH;
  }

  /** Offset of the block of segment {@code s}. */
  public long blockOffset(int s) {
    return blocksOffset() + (long) s * blockSize;
  }

  /** Total length of each share. */
  public long shareLength() {
    return blocksOffset() + (long) (segmentCount - 1) * blockSize + lastBlockSize;
  }

  /** The prefix a reader fetches first: header, extension block and share chain. */
  public long prefixLength() {
    return prefixLength(params.n());
  }

  static long prefixLength(int n) {
    return ShareHeader.LENGTH + ExtensionBlock.LENGTH
        + (long) MerkleTree.depth(n) * CHAIN_ENTRY_LENGTH;
  }

  ShareHeader header(int shareNumber) {
    return new ShareHeader(shareNumber, extensionOffset(), chainOffset(), segmentTreeOffset(),
        blockTreeOffset(),
        blocksOffset(), shareLength());
  }

  @Override
  public String toString() {
    return "ShareLayout[" + params + ", size=" + fileSize + ", segments=" + segmentCount
        + ", shareLength=" + shareLength() + "]";
  }
}
