package org.cairnfs.caps.immutable;

import java.nio.ByteBuffer;
import org.cairnfs.caps.merkle.MerkleTree;

/**
 * The proof that one share's block tree belongs to the file: the sibling nodes on the path
 * from the share's leaf ({@link org.cairnfs.caps.share.ShareTreeLeaf}) to the share tree
 * root, bottom-up, each encoded as node index u32 then the 32-byte hash.
 */
final class ShareHashChain {
  private ShareHashChain() {}

  /** Encodes the chain of share {@code shareNumber} from all nodes of the share tree. */
  static byte[] encode(int n, int shareNumber, byte[][] shareTreeNodes) {
    int[] indices = MerkleTree.proofNodes(MerkleTree.leafNode(n, shareNumber));
    ByteBuffer b = ByteBuffer.allocate(indices.length * ShareLayout.CHAIN_ENTRY_LENGTH);
    for (int index : indices) {
      b.putInt(index).put(shareTreeNodes[index]);
    }
    return b.array();
  }

  /**
   * Parses and checks an untrusted chain: its node indices must be exactly those the proof of
   * this share needs.
   */
  static byte[][] parse(byte[] bytes, int n, int shareNumber) throws ShareFormatException {
    if (shareNumber >= n) {
      throw new ShareFormatException("share number " + shareNumber + " is not below n=" + n);
    }
    int[] expected = MerkleTree.proofNodes(MerkleTree.leafNode(n, shareNumber));
    if (bytes.length != expected.length * ShareLayout.CHAIN_ENTRY_LENGTH) {
      throw new ShareFormatException("share chain must be "
          + expected.length * ShareLayout.CHAIN_ENTRY_LENGTH + " bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[][] proof = new byte[expected.length][MerkleTree.HASH_LENGTH];
    for (int i = 0; i < expected.length; i++) {
      int index = b.getInt();
      if (index != expected[i]) {
        throw new ShareFormatException(
            "share chain entry " + i + " names node " + index + ", expected " + expected[i]);
      }
      b.get(proof[i]);
    }
    return proof;
  }
}
