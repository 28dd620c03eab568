package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntToLongFunction;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ShareSource;

/**
 * The proved leaf hashes of an aligned run of leaves of one Merkle tree stored in a share.
 *
 * <p>Why a window: a sequential reader proves r leaves with one contiguous fetch and one proof
 * of log2(width/r) nodes, instead of one proof per leaf. Used for a share's block tree and for
 * the segment tree every share carries. Not thread-safe.
 */
final class LeafWindow {
  private final int leafCount;
  private final byte[] trustedRoot;
  private byte[] leaves = new byte[0];
  private int first = -1;
  private int run;

  LeafWindow(int leafCount, byte[] trustedRoot) {
    this.leafCount = leafCount;
    this.trustedRoot = trustedRoot.clone();
  }

  /** Whether leaf {@code leaf} is already proved. */
  boolean covers(int leaf) {
    return first >= 0 && leaf >= first && leaf < first + run;
  }

  /**
   * Fetches and proves the aligned run of (at most) {@code wanted} leaves around {@code leaf}
   * from {@code source}, whose node j sits at {@code nodeOffset(j)}. Returns false, leaving the
   * window empty, if the fetched nodes do not lead to the trusted root.
   */
  boolean load(ShareSource source, IntToLongFunction nodeOffset, int leaf, int wanted)
      throws IOException {
    int length = Math.min(Integer.highestOneBit(Math.max(wanted, 1)),
        MerkleTree.width(leafCount));
    int start = leaf - leaf % length;
    int node = MerkleTree.runNode(leafCount, start, length);
    int[] proofNodes = MerkleTree.proofNodes(node);
    if (leaves.length != length * MerkleTree.HASH_LENGTH) {
      leaves = new byte[length * MerkleTree.HASH_LENGTH];
    }
    first = -1;
    source.read(nodeOffset.applyAsLong(MerkleTree.leafNode(leafCount, start)), leaves, 0,
        leaves.length);
    byte[][] row = new byte[length][];
    for (int j = 0; j < length; j++) {
      row[j] = Arrays.copyOfRange(leaves, j * MerkleTree.HASH_LENGTH,
          (j + 1) * MerkleTree.HASH_LENGTH);
    }
    byte[][] proof = new byte[proofNodes.length][];
    for (int i = 0; i < proofNodes.length; i++) {
      proof[i] = source.read(nodeOffset.applyAsLong(proofNodes[i]), MerkleTree.HASH_LENGTH);
    }
    if (!MerkleTree.verify(trustedRoot, node, MerkleTree.runRoot(row, 0, length), proof)) {
      return false;
    }
    first = start;
    run = length;
    return true;
  }

  /** Offset of proved leaf {@code leaf}'s hash in {@link #bytes()}; the leaf must be covered. */
  int offsetOf(int leaf) {
    if (!covers(leaf)) {
      throw new IllegalStateException("leaf " + leaf + " is not proved");
    }
    return (leaf - first) * MerkleTree.HASH_LENGTH;
  }

  /** The window's leaf hashes (not copied: read only). */
  byte[] bytes() {
    return leaves;
  }

  /** Whether {@code hash} equals proved leaf {@code leaf}. */
  boolean matches(int leaf, byte[] hash) {
    int at = offsetOf(leaf);
    return Arrays.equals(hash, 0, hash.length, leaves, at, at + MerkleTree.HASH_LENGTH);
  }

  /** The first leaf of the run {@link #load} would fetch, for messages. */
  String describe(int leaf, int wanted) {
    int length = Math.min(Integer.highestOneBit(Math.max(wanted, 1)),
        MerkleTree.width(leafCount));
    int start = leaf - leaf % length;
    return start + ".." + (start + length - 1);
  }
}
