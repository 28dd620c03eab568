package org.cairnfs.caps.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MerkleTreeBuilderTest {

  @Property(tries = 40)
  void emitsEveryNodeOnceWithTheReferenceHash(@ForAll @IntRange(min = 0, max = 2000) int count) {
    List<byte[]> leaves = MerkleTreeTest.leaves(count, 31L * count);
    int nodeCount = MerkleTree.nodeCount(count);
    byte[][] seen = new byte[nodeCount][];
    Set<Integer> twice = new HashSet<>();
    MerkleTreeBuilder builder = new MerkleTreeBuilder(count, (i, h) -> {
      if (seen[i] != null) {
        twice.add(i);
      }
      seen[i] = h.clone();
    });
    for (byte[] leaf : leaves) {
      builder.add(leaf);
    }
    byte[] root = builder.root();
    assertThat(twice).isEmpty();
    assertThat(java.util.Arrays.asList(seen)).doesNotContainNull();
    assertThat(root).isEqualTo(MerkleTreeTest.referenceRoot(leaves, 0, MerkleTree.width(count)));
    assertThat(seen[0]).isEqualTo(root);
    for (int i = 0; i < nodeCount / 2; i++) {
      assertThat(seen[i]).as("node %d", i)
          .isEqualTo(MerkleTree.parent(seen[2 * i + 1], seen[2 * i + 2]));
    }
  }

  @Test
  void handsEveryPadNodeAsItsOwnArray() {
    // 5 leaves in a width of 8: pad leaves 5, 6, 7 share one cached pad inside the builder
    List<byte[]> leaves = MerkleTreeTest.leaves(5, 3);
    byte[][] nodes = MerkleTree.allNodes(leaves);
    Set<byte[]> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    distinct.addAll(java.util.Arrays.asList(nodes));
    assertThat(distinct).hasSize(nodes.length);
    byte[] padLeaf = nodes[MerkleTree.leafNode(5, 6)].clone();
    java.util.Arrays.fill(nodes[MerkleTree.leafNode(5, 5)], (byte) 0);
    assertThat(nodes[MerkleTree.leafNode(5, 6)]).as("a sink's change to one pad leaf")
        .isEqualTo(padLeaf).isEqualTo(MerkleTree.padLeaf());
  }

  @Test
  void emitsAParentAsSoonAsItsLeavesArrive() {
    int[] last = {-1};
    MerkleTreeBuilder builder = new MerkleTreeBuilder(4, (i, h) -> last[0] = i);
    List<byte[]> leaves = MerkleTreeTest.leaves(4, 1);
    builder.add(leaves.get(0));
    assertThat(last[0]).isEqualTo(3);
    builder.add(leaves.get(1));
    assertThat(last[0]).as("node 1 completes with leaf 1").isEqualTo(1);
    builder.add(leaves.get(2));
    builder.add(leaves.get(3));
    assertThat(last[0]).as("the root completes with the last leaf").isZero();
  }

  @Test
  void refusesTooManyOrTooFewLeaves() {
    List<byte[]> leaves = MerkleTreeTest.leaves(3, 2);
    MerkleTreeBuilder builder = new MerkleTreeBuilder(2, (i, h) -> { });
    assertThat(builder.added()).isZero();
    builder.add(leaves.get(0));
    assertThat(builder.added()).isEqualTo(1);
    assertThat(builder).hasToString("MerkleTreeBuilder[1/2 leaves, pending 1]");
    assertThatThrownBy(builder::root).hasMessageContaining("only 1 of 2");
    builder.add(leaves.get(1));
    assertThat(builder.added()).isEqualTo(2);
    assertThat(builder).hasToString("MerkleTreeBuilder[2/2 leaves, pending 0]");
    assertThatThrownBy(() -> builder.add(leaves.get(2))).hasMessageContaining("all 2 leaves");
    assertThatThrownBy(() -> builder.add(new byte[5])).hasMessageContaining("got 5");
  }
}
