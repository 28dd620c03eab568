package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

class LeafWindowTest {
  static final int LEAVES = 11;
  static final long BASE = 7;

  static List<byte[]> leaves() {
    List<byte[]> out = new ArrayList<>();
    for (int j = 0; j < LEAVES; j++) {
      out.add(TaggedHash.of(Tag.BLOCK, new byte[] {(byte) j}));
    }
    return out;
  }

  /** A tree stored at offset BASE of a byte array, node j at BASE + 32j. */
  static byte[] stored(byte[][] nodes) {
    byte[] bytes = new byte[(int) BASE + 32 * nodes.length];
    for (int j = 0; j < nodes.length; j++) {
      System.arraycopy(nodes[j], 0, bytes, (int) BASE + 32 * j, 32);
    }
    return bytes;
  }

  @Test
  void loadsAndMatchesAnAlignedRun() throws IOException {
    byte[][] nodes = MerkleTree.allNodes(leaves());
    LeafWindow window = new LeafWindow(LEAVES, nodes[0]);
    assertThat(window.covers(9)).isFalse();
    assertThat(window.load(ByteArrayShare.wrap(stored(nodes)), j -> BASE + 32L * j, 9, 4))
        .isTrue();
    assertThat(window.covers(8)).isTrue();
    assertThat(window.covers(11)).isTrue();
    assertThat(window.covers(12)).isFalse();
    assertThat(window.matches(9, leaves().get(9))).isTrue();
    assertThat(window.matches(10, leaves().get(9))).isFalse();
    assertThat(window.describe(9, 4)).isEqualTo("8..11");
  }

  @Test
  void refusesATamperedLeafAndForgetsTheOldRun() throws IOException {
    byte[][] nodes = MerkleTree.allNodes(leaves());
    LeafWindow window = new LeafWindow(LEAVES, nodes[0]);
    byte[] bytes = stored(nodes);
    assertThat(window.load(ByteArrayShare.wrap(bytes), j -> BASE + 32L * j, 0, 1)).isTrue();
    bytes[(int) BASE + 32 * MerkleTree.leafNode(LEAVES, 5)] ^= 1;
    assertThat(window.load(ByteArrayShare.wrap(bytes), j -> BASE + 32L * j, 5, 2)).isFalse();
    assertThat(window.covers(0)).isFalse();
    assertThat(window.covers(5)).isFalse();
    assertThatThrownBy(() -> window.offsetOf(5)).isInstanceOf(IllegalStateException.class);
  }
}
