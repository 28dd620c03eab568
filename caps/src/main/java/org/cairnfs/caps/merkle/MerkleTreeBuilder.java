package org.cairnfs.caps.merkle;

import java.util.Arrays;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Builds a {@link MerkleTree} from leaf hashes given in order, handing every node to a
 * {@link NodeSink} as soon as it is complete.
 *
 * <p>Why streaming: a share writer knows every node's position in advance and writes nodes as
 * they appear, so it never holds the leaves. Memory is one pending hash per level, O(log n).
 * Padding nodes are emitted too, by {@link #root()}, without hashing subtrees made only of pads
 * more than once per level. Not thread-safe.
 */
public final class MerkleTreeBuilder {
  /** Receives nodes as they complete. The hash array is not reused by the builder. */
  @FunctionalInterface
  public interface NodeSink {
    void node(int index, byte[] hash);
  }

  private final int leafCount;
  private final int depth;
  private final NodeSink sink;
  private final byte[][] pending;
  private final byte[][] padAtLevel;
  private final TaggedHash nodeHash = TaggedHash.start(Tag.MERKLE_NODE);
  private int added;
  private byte[] root;

  /** A builder for a tree of exactly {@code leafCount} leaves (0 gives a single pad leaf). */
  public MerkleTreeBuilder(int leafCount, NodeSink sink) {
    this.leafCount = leafCount;
    this.depth = MerkleTree.depth(leafCount);
    this.sink = sink;
    this.pending = new byte[depth + 1][];
    this.padAtLevel = new byte[depth + 1][];
    padAtLevel[0] = MerkleTree.padLeaf();
    for (int level = 1; level <= depth; level++) {
      padAtLevel[level] = hashPair(padAtLevel[level - 1], padAtLevel[level - 1]);
    }
  }

  /** Adds the next leaf hash (32 bytes; copied). */
  public void add(byte[] leafHash) {
    if (leafHash.length != MerkleTree.HASH_LENGTH) {
      throw new IllegalArgumentException(
          "leaf hash must be " + MerkleTree.HASH_LENGTH + " bytes, got " + leafHash.length);
    }
    if (added >= leafCount) {
      throw new IllegalStateException("all " + leafCount + " leaves were already added");
    }
    push(0, added, leafHash.clone());
    added++;
  }

  /** Number of leaves added so far. */
  public int added() {
    return added;
  }

  /** Pads the tree, emits the remaining nodes and returns the root. Requires every leaf. */
  public byte[] root() {
    if (root == null) {
      if (added != leafCount) {
        throw new IllegalStateException(
            "only " + added + " of " + leafCount + " leaves were added");
      }
      int width = 1 << depth;
      for (int j = leafCount; j < width; j++) {
        push(0, j, padAtLevel[0]);
      }
    }
    return root.clone();
  }

  private void push(int level, int position, byte[] hash) {
    int index = (1 << (depth - level)) - 1 + position;
    sink.node(index, hash == padAtLevel[level] ? hash.clone() : hash);
    if (level == depth) {
      root = hash;
      return;
    }
    if ((position & 1) == 0) {
      pending[level] = hash;
      return;
    }
    byte[] left = pending[level];
    pending[level] = null;
    boolean allPad = ((long) (position - 1) << level) >= leafCount;
    byte[] parent = allPad ? padAtLevel[level + 1] : hashPair(left, hash);
    push(level + 1, position >>> 1, parent);
  }

  private byte[] hashPair(byte[] left, byte[] right) {
    return nodeHash.update(left).update(right).finish();
  }

  @Override
  public String toString() {
    return "MerkleTreeBuilder[" + added + "/" + leafCount + " leaves, pending "
        + Arrays.stream(pending).filter(p -> p != null).count() + "]";
  }
}
