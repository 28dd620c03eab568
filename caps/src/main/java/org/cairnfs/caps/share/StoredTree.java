package org.cairnfs.caps.share;

import java.io.IOException;
import java.security.MessageDigest;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;

/**
 * Checks a whole {@link MerkleTree} stored in heap order inside a share, node by node, streaming.
 *
 * <p>Why: a reader proves only the nodes on its path, so a share whose other nodes are wrong
 * looks fine until someone reads there. A party that must vouch for a whole share (a storage
 * server accepting a mutable share, an uploader counting a share another client left) checks
 * every node once: the leaf row against leaves it computes itself (padding leaves must be the
 * padding hash), and each interior row against the row below. Together with a trusted root
 * this makes the stored tree exactly the tree over those leaves.
 *
 * <p>Memory: two {@link ShareStream} buffers. Cost: every node read about twice and hashed once.
 */
public final class StoredTree {
  /** Supplies the expected hash of leaf {@code j}, in order {@code 0, 1, ...}. */
  @FunctionalInterface
  public interface Leaves {
    byte[] next(int j) throws IOException;
  }

  private final ShareSource source;
  private final long treeOffset;
  private final int leafCount;
  private final int width;

  /** The tree of {@code leafCount} leaves whose node 0 sits at {@code treeOffset}. */
  public StoredTree(ShareSource source, long treeOffset, int leafCount) {
    this.source = source;
    this.treeOffset = treeOffset;
    this.leafCount = leafCount;
    this.width = MerkleTree.width(leafCount);
  }

  /**
   * The first leaf (by index, 0-based) whose stored hash differs from {@code expected} for
   * {@code j < leafCount} or from the padding hash beyond, or -1 when all match.
   */
  public int firstBadLeaf(Leaves expected) throws IOException {
    ShareStream row = ShareStream.of(source, offsetOf(width - 1),
        (long) width * MerkleTree.HASH_LENGTH);
    byte[] stored = new byte[MerkleTree.HASH_LENGTH];
    byte[] pad = MerkleTree.padLeaf();
    for (int j = 0; j < width; j++) {
      row.readFully(stored, 0, stored.length);
      if (!MessageDigest.isEqual(stored, j < leafCount ? expected.next(j) : pad)) {
        return j;
      }
    }
    return -1;
  }

  /**
   * The first interior node (heap index, bottom row first) that is not {@code H(MERKLE_NODE,
   * left || right)} of its stored children, or -1 when all are.
   */
  public int firstBadInteriorNode() throws IOException {
    TaggedHash nodeHash = TaggedHash.start(Tag.MERKLE_NODE);
    byte[] pair = new byte[2 * MerkleTree.HASH_LENGTH];
    byte[] stored = new byte[MerkleTree.HASH_LENGTH];
    for (int rowWidth = width / 2; rowWidth >= 1; rowWidth /= 2) {
      int first = rowWidth - 1;
      ShareStream parents = ShareStream.of(source, offsetOf(first),
          (long) rowWidth * MerkleTree.HASH_LENGTH);
      ShareStream children = ShareStream.of(source, offsetOf(2 * first + 1),
          2L * rowWidth * MerkleTree.HASH_LENGTH);
      for (int i = 0; i < rowWidth; i++) {
        parents.readFully(stored, 0, stored.length);
        children.readFully(pair, 0, pair.length);
        if (!MessageDigest.isEqual(stored, nodeHash.update(pair).finish())) {
          return first + i;
        }
      }
    }
    return -1;
  }

  /** The stored root (node 0), untrusted until compared with a trusted one. */
  public byte[] storedRoot() throws IOException {
    return source.read(treeOffset, MerkleTree.HASH_LENGTH);
  }

  private long offsetOf(int node) {
    return treeOffset + (long) node * MerkleTree.HASH_LENGTH;
  }
}
