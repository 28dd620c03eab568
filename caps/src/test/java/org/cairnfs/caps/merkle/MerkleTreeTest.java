package org.cairnfs.caps.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

  static List<byte[]> leaves(int count, long seed) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] block = new byte[1 + random.nextInt(8)];
      random.nextBytes(block);
      out.add(TaggedHash.of(Tag.BLOCK, block));
    }
    return out;
  }

  /** Independent recursive definition of the root, to check the heap arithmetic against. */
  static byte[] referenceRoot(List<byte[]> leaves, int from, int width) {
    if (width == 1) {
      return from < leaves.size() ? leaves.get(from) : TaggedHash.of(Tag.MERKLE_PAD);
    }
    byte[] left = referenceRoot(leaves, from, width / 2);
    byte[] right = referenceRoot(leaves, from + width / 2, width / 2);
    return TaggedHash.of(Tag.MERKLE_NODE, left, right);
  }

  static byte[][] proof(byte[][] nodes, int node) {
    int[] indices = MerkleTree.proofNodes(node);
    byte[][] out = new byte[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = nodes[indices[i]];
    }
    return out;
  }

  @Property(tries = 40)
  void rootMatchesTheRecursiveDefinition(@ForAll @IntRange(min = 0, max = 2000) int count) {
    List<byte[]> leaves = leaves(count, count);
    assertThat(MerkleTree.root(leaves))
        .isEqualTo(referenceRoot(leaves, 0, MerkleTree.width(count)));
  }

  @Property(tries = 60)
  void randomRunProofsVerifyAndAnyFlippedBitFails(
      @ForAll @IntRange(min = 1, max = 2000) int count, @ForAll long seed) {
    Random random = new Random(seed);
    List<byte[]> leaves = leaves(count, seed);
    byte[][] nodes = MerkleTree.allNodes(leaves);
    byte[] root = nodes[0];
    int width = MerkleTree.width(count);
    int run = 1 << random.nextInt(Integer.numberOfTrailingZeros(width) + 1);
    int first = run * random.nextInt(width / run);
    int node = MerkleTree.runNode(count, first, run);

    byte[][] runLeaves = new byte[run][];
    for (int j = 0; j < run; j++) {
      runLeaves[j] = nodes[MerkleTree.leafNode(count, first + j)];
    }
    byte[] runRoot = MerkleTree.runRoot(runLeaves, 0, run);
    assertThat(runRoot).isEqualTo(nodes[node]);
    byte[][] proof = proof(nodes, node);
    assertThat(MerkleTree.verify(root, node, runRoot, proof)).isTrue();

    int bit = random.nextInt(256 * (1 + proof.length));
    if (bit < 256) {
      byte[] bad = runRoot.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(MerkleTree.verify(root, node, bad, proof)).isFalse();
    } else {
      int which = bit / 256 - 1;
      byte[][] badProof = proof.clone();
      badProof[which] = proof[which].clone();
      badProof[which][(bit % 256) / 8] ^= (byte) (1 << (bit % 8));
      assertThat(MerkleTree.verify(root, node, runRoot, badProof)).isFalse();
    }
    if (node > 0 && !java.util.Arrays.equals(proof[0], runRoot)) {
      assertThat(MerkleTree.verify(root, (node & 1) == 1 ? node + 1 : node - 1, runRoot, proof))
          .as("the same hash claimed at another position").isFalse();
    }
  }

  @Nested
  class Shape {
    @Test
    void widthIsTheNextPowerOfTwo() {
      assertThat(MerkleTree.width(0)).isEqualTo(1);
      assertThat(MerkleTree.width(1)).isEqualTo(1);
      assertThat(MerkleTree.width(2)).isEqualTo(2);
      assertThat(MerkleTree.width(3)).isEqualTo(4);
      assertThat(MerkleTree.width(1024)).isEqualTo(1024);
      assertThat(MerkleTree.width(1025)).isEqualTo(2048);
      assertThat(MerkleTree.nodeCount(5)).isEqualTo(15);
      assertThat(MerkleTree.depth(5)).isEqualTo(3);
    }

    @Test
    void heapNumbering() {
      assertThat(MerkleTree.leafNode(5, 0)).isEqualTo(7);
      assertThat(MerkleTree.leafNode(5, 7)).isEqualTo(14);
      assertThat(MerkleTree.proofNodes(9)).containsExactly(10, 3, 2);
      assertThat(MerkleTree.proofNodes(0)).isEmpty();
      assertThat(MerkleTree.runNode(8, 4, 4)).isEqualTo(2);
      assertThat(MerkleTree.runNode(8, 6, 2)).isEqualTo(6);
      assertThat(MerkleTree.runNode(8, 0, 8)).isZero();
      assertThat(MerkleTree.neededNodes(8, 4, 2)).containsExactly(11, 12, 6, 1);
    }

    @Test
    void rejectsMisalignedRuns() {
      assertThatThrownBy(() -> MerkleTree.runNode(8, 2, 4)).hasMessageContaining("first leaf 2");
      assertThatThrownBy(() -> MerkleTree.runNode(8, 0, 3)).hasMessageContaining("run 3");
      assertThatThrownBy(() -> MerkleTree.runNode(8, 0, 16)).hasMessageContaining("run 16");
      assertThatThrownBy(() -> MerkleTree.width(-1)).hasMessageContaining("-1");
    }

    @Test
    void boundsAreExact() {
      assertThat(MerkleTree.leafNode(4, 3)).isEqualTo(6);
      assertThatThrownBy(() -> MerkleTree.leafNode(4, 4)).hasMessageContaining("leaf 4");
      assertThatThrownBy(() -> MerkleTree.leafNode(4, -1)).hasMessageContaining("leaf -1");
      assertThat(MerkleTree.runNode(8, 7, 1)).isEqualTo(14);
      assertThatThrownBy(() -> MerkleTree.runNode(8, 8, 1)).hasMessageContaining("first leaf 8");
      assertThatThrownBy(() -> MerkleTree.runNode(8, -2, 2)).hasMessageContaining("first leaf -2");
      assertThatThrownBy(() -> MerkleTree.runNode(8, 0, 0)).hasMessageContaining("run 0");
      assertThat(MerkleTree.width(MerkleTree.MAX_LEAVES)).isEqualTo(MerkleTree.MAX_LEAVES);
      assertThatThrownBy(() -> MerkleTree.width(MerkleTree.MAX_LEAVES + 1))
          .hasMessageContaining(String.valueOf(MerkleTree.MAX_LEAVES + 1));
      assertThatThrownBy(() -> MerkleTree.proofNodes(-1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
      // -2 would otherwise size its proof from node + 1 = -1 and answer 31 zeros
      assertThatThrownBy(() -> MerkleTree.proofNodes(-2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
    }

    @Test
    void aRunOfTheWholeTreeNeedsNoProof() {
      assertThat(MerkleTree.neededNodes(4, 0, 4)).containsExactly(3, 4, 5, 6);
      assertThat(MerkleTree.neededNodes(1, 0, 1)).containsExactly(0);
    }

    @Test
    void runRootIsTheSubtreeRootAndRefusesOtherRuns() {
      List<byte[]> leaves = leaves(8, 3);
      byte[][] nodes = MerkleTree.allNodes(leaves);
      byte[][] row = leaves.toArray(new byte[0][]);
      assertThat(MerkleTree.runRoot(row, 4, 4)).isEqualTo(nodes[2]);
      assertThat(MerkleTree.runRoot(row, 0, 8)).isEqualTo(nodes[0]);
      assertThat(MerkleTree.runRoot(row, 5, 1)).isEqualTo(leaves.get(5));
      assertThatThrownBy(() -> MerkleTree.runRoot(row, 0, 3)).hasMessageContaining("run 3");
      assertThatThrownBy(() -> MerkleTree.runRoot(row, 0, 0)).hasMessageContaining("run 0");
    }

    @Test
    void padAndNodeUseTheirTags() {
      assertThat(MerkleTree.padLeaf()).isEqualTo(TaggedHash.of(Tag.MERKLE_PAD));
      byte[] a = "a".getBytes(StandardCharsets.US_ASCII);
      assertThat(MerkleTree.parent(a, a)).isEqualTo(TaggedHash.of(Tag.MERKLE_NODE, a, a));
    }
  }

  @Nested
  class Proofs {
    @Test
    void everyLeafOfASmallTreeVerifies() {
      List<byte[]> leaves = leaves(13, 7);
      byte[][] nodes = MerkleTree.allNodes(leaves);
      for (int j = 0; j < 13; j++) {
        int node = MerkleTree.leafNode(13, j);
        assertThat(MerkleTree.verify(nodes[0], node, leaves.get(j), proof(nodes, node)))
            .as("leaf %d", j).isTrue();
        int other = MerkleTree.leafNode(13, (j + 1) % 13);
        assertThat(MerkleTree.verify(nodes[0], node, leaves.get((j + 1) % 13),
            proof(nodes, node))).as("leaf %d with its neighbour's hash", j).isFalse();
        assertThat(other).isNotEqualTo(node);
      }
    }

    @Test
    void wrongLengthsAreRefused() {
      List<byte[]> leaves = leaves(4, 8);
      byte[][] nodes = MerkleTree.allNodes(leaves);
      int node = MerkleTree.leafNode(4, 1);
      assertThat(MerkleTree.verify(nodes[0], node, new byte[31], proof(nodes, node))).isFalse();
      assertThatThrownBy(() -> MerkleTree.rootFromProof(node, leaves.get(1), new byte[1][]))
          .hasMessageContaining("needs a proof of 2");
      // Malformed proofs are simply false, never an exception.
      assertThat(MerkleTree.verify(nodes[0], node, leaves.get(1), new byte[][] {nodes[4]}))
          .isFalse();
      assertThat(MerkleTree.verify(nodes[0], node, leaves.get(1),
          new byte[][] {nodes[4], nodes[2], nodes[0]})).isFalse();
      assertThat(MerkleTree.verify(nodes[0], node, leaves.get(1),
          new byte[][] {nodes[3], new byte[31]})).isFalse();
      assertThat(MerkleTree.verify(nodes[0], -1, leaves.get(1), new byte[0][])).isFalse();
      assertThat(MerkleTree.verify(nodes[0], node, leaves.get(1), proof(nodes, node))).isTrue();
    }
  }
}
