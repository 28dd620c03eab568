package org.cairnfs.caps.mutable;

import org.cairnfs.caps.merkle.MerkleTree;

/**
 * Where everything sits in a mutable share, computed from the signed parameters alone, so a
 * writer places pieces before they exist and a reader knows what to fetch and how much to
 * trust a stored offset (it must equal the computed one).
 */
record ShareLayout(int k, int n, int segmentSize, long dataLength) {
  static final int HASH = MerkleTree.HASH_LENGTH;
  static final int SHARE_NUMBER_OFFSET = SlotWriteCheck.PREFIX_LENGTH;
  static final int ENCRYPTED_SEED_OFFSET = SHARE_NUMBER_OFFSET + 2;
  static final int OFFSETS_OFFSET = ENCRYPTED_SEED_OFFSET + 32;
  /** Bytes before the share hash chain. */
  static final int FIXED_LENGTH = OFFSETS_OFFSET + 4 * 8;

  static ShareLayout of(SignedHeader h) {
    return new ShareLayout(h.k(), h.n(), h.segmentSize(), h.dataLength());
  }

  /** At least one segment, so an empty file still has a block to sign. */
  int segments() {
    return dataLength == 0 ? 1 : (int) ((dataLength + segmentSize - 1) / segmentSize);
  }

  /** Plaintext bytes in segment {@code j} (0 only for an empty file). */
  int segmentLength(int j) {
    return (int) Math.min(segmentSize, dataLength - (long) j * segmentSize);
  }

  /** Bytes of each block of segment {@code j}: the segment, zero-padded to k parts, over k. */
  int blockSize(int j) {
    return Math.max(1, (segmentLength(j) + k - 1) / k);
  }

  int chainHashes() {
    return MerkleTree.depth(n);
  }

  long chainOffset() {
    return FIXED_LENGTH;
  }

  long blockTreeOffset() {
    return chainOffset() + (long) HASH * chainHashes();
  }

  long blocksOffset() {
    return blockTreeOffset() + (long) HASH * MerkleTree.nodeCount(segments());
  }

  long blockOffset(int j) {
    return blocksOffset() + (long) j * (segmentSize / k);
  }

  long end() {
    int last = segments() - 1;
    return blockOffset(last) + blockSize(last);
  }

  long treeNodeOffset(int node) {
    return blockTreeOffset() + (long) HASH * node;
  }
}
