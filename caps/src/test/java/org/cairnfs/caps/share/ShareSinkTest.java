package org.cairnfs.caps.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.merkle.MerkleTreeBuilder;
import org.junit.jupiter.api.Test;

class ShareSinkTest {
  @Test
  void treeNodesLandAtTheirOffsets() throws IOException {
    int leaves = 3;
    int nodes = MerkleTree.nodeCount(leaves);
    ByteArrayShare share = new ByteArrayShare(10 + (long) nodes * 32);
    MerkleTreeBuilder builder =
        new MerkleTreeBuilder(leaves, share.treeNodesAt(node -> 10 + 32L * node));
    List<byte[]> leafHashes = new ArrayList<>();
    for (int i = 0; i < leaves; i++) {
      byte[] leaf = new byte[32];
      leaf[0] = (byte) (i + 1);
      leafHashes.add(leaf);
      builder.add(leaf);
    }
    byte[] root = builder.root();
    byte[][] expected = MerkleTree.allNodes(leafHashes);
    for (int node = 0; node < nodes; node++) {
      assertThat(share.read(10 + 32L * node, 32)).as("node %d", node).isEqualTo(expected[node]);
    }
    assertThat(share.read(10, 32)).isEqualTo(root);
  }

  @Test
  void aFailedNodeWriteSurfacesAsUncheckedIoException() {
    ShareSink failing = (offset, data, off, len) -> {
      throw new IOException("disk full at " + offset);
    };
    MerkleTreeBuilder.NodeSink nodes = failing.treeNodesAt(node -> 100L * node);
    assertThatThrownBy(() -> nodes.node(2, new byte[32]))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full at 200");
  }
}
