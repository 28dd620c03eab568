package org.cairnfs.caps.merkle;

import java.security.MessageDigest;
import java.util.List;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * The shape and arithmetic of Cairn's binary hash trees, shared by immutable shares (block tree,
 * share tree) and mutable shares.
 *
 * <p>Leaves are hashes the caller computes (for example {@code H(BLOCK, block)}). The leaf row is
 * padded to a power of two {@code width} with {@code H(MERKLE_PAD, "")}, and an interior node is
 * {@code H(MERKLE_NODE, left || right)}. Nodes are numbered in heap order: the root is 0, the
 * children of node i are 2i+1 and 2i+2, and leaf j is node {@code width - 1 + j}; a tree of
 * {@code width} leaves has {@code 2 * width - 1} nodes. Because the shape depends only on the
 * leaf count, a share can place every node at a fixed offset before any is known, and a reader
 * can compute which nodes it must fetch to check a leaf or a run of leaves.
 *
 * <p>A proof for node i is the list of sibling hashes from i up to (not including) the root, in
 * that order; {@link #proofNodes(int)} gives their indices.
 */
public final class MerkleTree {
  public static final int HASH_LENGTH = TaggedHash.LENGTH;
  /** Largest supported leaf count, so that node indices fit in an int. */
  public static final int MAX_LEAVES = 1 << 30;

  private static final byte[] PAD_LEAF = TaggedHash.of(Tag.MERKLE_PAD);

  private MerkleTree() {}

  /** The padded leaf row length: the least power of two {@code >= max(leafCount, 1)}. */
  public static int width(int leafCount) {
    checkLeafCount(leafCount);
    return leafCount <= 1 ? 1 : Integer.highestOneBit(leafCount - 1) << 1;
  }

  /** Number of levels below the root: {@code log2(width)}. */
  public static int depth(int leafCount) {
    return Integer.numberOfTrailingZeros(width(leafCount));
  }

  /** Total nodes in the heap array, pads included: {@code 2 * width - 1}. */
  public static int nodeCount(int leafCount) {
    return 2 * width(leafCount) - 1;
  }

  /** Heap index of leaf {@code leaf}. */
  public static int leafNode(int leafCount, int leaf) {
    int width = width(leafCount);
    if (leaf < 0 || leaf >= width) {
      throw new IllegalArgumentException(
          "leaf " + leaf + " outside a tree of width " + width);
    }
    return width - 1 + leaf;
  }

  /** The hash of a padding leaf, {@code H(MERKLE_PAD, "")}. */
  public static byte[] padLeaf() {
    return PAD_LEAF.clone();
  }

  /** {@code H(MERKLE_NODE, left || right)}. */
  public static byte[] parent(byte[] left, byte[] right) {
    return TaggedHash.of(Tag.MERKLE_NODE, left, right);
  }

  /** Root of a tree over the given leaf hashes (padded). */
  public static byte[] root(List<byte[]> leafHashes) {
    return allNodes(leafHashes)[0];
  }

  /** Every node of the tree over the given leaf hashes, in heap order. For small trees. */
  public static byte[][] allNodes(List<byte[]> leafHashes) {
    int leafCount = leafHashes.size();
    byte[][] nodes = new byte[nodeCount(leafCount)][];
    MerkleTreeBuilder builder = new MerkleTreeBuilder(leafCount, (i, h) -> nodes[i] = h);
    for (byte[] leaf : leafHashes) {
      builder.add(leaf);
    }
    builder.root();
    return nodes;
  }

  /** Indices of the siblings that prove node {@code node}, from its own level up to the root. */
  public static int[] proofNodes(int node) {
    if (node < 0) {
      throw new IllegalArgumentException("negative node index " + node);
    }
    int[] out = new int[31 - Integer.numberOfLeadingZeros(node + 1)];
    int i = node;
    for (int level = 0; i > 0; level++) {
      out[level] = (i & 1) == 1 ? i + 1 : i - 1;
      i = (i - 1) >>> 1;
    }
    return out;
  }

  /**
   * Heap index of the root of the subtree covering leaves {@code [firstLeaf, firstLeaf + run)},
   * where {@code run} is a power of two and {@code firstLeaf} a multiple of it.
   */
  public static int runNode(int leafCount, int firstLeaf, int run) {
    int width = width(leafCount);
    if (run < 1 || Integer.bitCount(run) != 1 || run > width) {
      throw new IllegalArgumentException(
          "run " + run + " is not a power of two at most the width " + width);
    }
    if (firstLeaf < 0 || firstLeaf % run != 0 || firstLeaf >= width) {
      throw new IllegalArgumentException(
          "first leaf " + firstLeaf + " is not a run start for run " + run + " and width "
              + width);
    }
    int rowStart = width / run - 1;
    return rowStart + firstLeaf / run;
  }

  /**
   * The node indices a reader must fetch to check leaves {@code [firstLeaf, firstLeaf + run)}
   * against a trusted root: the run's leaves (a contiguous range of indices, first) followed by
   * the proof of the run's subtree root.
   */
  public static int[] neededNodes(int leafCount, int firstLeaf, int run) {
    int[] proof = proofNodes(runNode(leafCount, firstLeaf, run));
    int first = leafNode(leafCount, firstLeaf);
    int[] out = new int[run + proof.length];
    for (int j = 0; j < run; j++) {
      out[j] = first + j;
    }
    System.arraycopy(proof, 0, out, run, proof.length);
    return out;
  }

  /**
   * The root of the subtree over leaf hashes {@code leaves[from .. from + run)}; a run is a power
   * of two. Cheap: {@code run - 1} node hashes.
   */
  public static byte[] runRoot(byte[][] leaves, int from, int run) {
    if (run < 1 || Integer.bitCount(run) != 1) {
      throw new IllegalArgumentException("run " + run + " is not a power of two");
    }
    byte[][] level = new byte[run][];
    System.arraycopy(leaves, from, level, 0, run);
    for (int size = run; size > 1; size >>= 1) {
      for (int j = 0; j < size / 2; j++) {
        level[j] = parent(level[2 * j], level[2 * j + 1]);
      }
    }
    return level[0];
  }

  /** Recomputes the root from a node's hash and its proof (sibling hashes bottom-up). */
  public static byte[] rootFromProof(int node, byte[] nodeHash, byte[][] proof) {
    int expected = 31 - Integer.numberOfLeadingZeros(node + 1);
    if (node < 0 || proof.length != expected) {
      throw new IllegalArgumentException("node " + node + " needs a proof of " + expected
          + " hashes, got " + proof.length);
    }
    byte[] hash = nodeHash;
    int i = node;
    for (byte[] sibling : proof) {
      hash = (i & 1) == 1 ? parent(hash, sibling) : parent(sibling, hash);
      i = (i - 1) >>> 1;
    }
    return hash;
  }

  /**
   * Whether {@code nodeHash} at index {@code node}, with {@code proof}, yields the trusted root.
   * Malformed input (wrong lengths) is simply false.
   */
  public static boolean verify(byte[] trustedRoot, int node, byte[] nodeHash, byte[][] proof) {
    if (node < 0 || nodeHash.length != HASH_LENGTH
        || proof.length != 31 - Integer.numberOfLeadingZeros(node + 1)) {
      return false;
    }
    for (byte[] p : proof) {
      if (p.length != HASH_LENGTH) {
        return false;
      }
    }
    return MessageDigest.isEqual(trustedRoot, rootFromProof(node, nodeHash, proof));
  }

  static void checkLeafCount(int leafCount) {
    if (leafCount < 0 || leafCount > MAX_LEAVES) {
      throw new IllegalArgumentException(
          "leaf count must be in [0, " + MAX_LEAVES + "], got " + leafCount);
    }
  }
}
