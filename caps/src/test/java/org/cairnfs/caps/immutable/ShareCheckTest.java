package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 6: a server's "already held" is a claim. What an uploader runs before it
 * counts such a share toward happiness.
 */
class ShareCheckTest {
  private static final EncodingParams PARAMS = Shares.params(3, 10, 64);

  private static ImmutableVerifyCap verifyCap(Shares s) {
    return (ImmutableVerifyCap) s.cap().verifyCap().orElseThrow();
  }

  @Test
  void genuineSharesPassBothDepths() throws Exception {
    for (int size : new int[] {57, 64, 200, 1000}) {
      Shares s = Shares.encode0(PARAMS, Shares.random(size, size));
      for (int i = 0; i < 10; i++) {
        ShareLayout front = ShareCheck.checkFront(verifyCap(s), i,
            ByteArrayShare.wrap(s.shares()[i]));
        assertThat(front.shareLength()).isEqualTo(s.shares()[i].length);
        assertThat(ShareCheck.checkAll(verifyCap(s), i, ByteArrayShare.wrap(s.shares()[i]))
            .shareLength()).isEqualTo(s.shares()[i].length);
      }
    }
  }

  @Test
  void garbagePlantedUnderTheStorageIndexIsRefused() {
    Shares s = Shares.encode0(PARAMS, Shares.random(1000, 1));
    byte[] planted = Shares.random(s.shares()[4].length, 2);
    assertThatThrownBy(() -> ShareCheck.checkFront(verifyCap(s), 4,
        ByteArrayShare.wrap(planted)))
        .isInstanceOfSatisfying(IntegrityException.class, e ->
            assertThat(e.badShares()).containsOnlyKeys(4));
  }

  @Test
  void aShareOfAnotherFileOrAnotherNumberIsRefused() {
    Shares mine = Shares.encode0(PARAMS, Shares.random(1000, 3));
    Shares other = Shares.encode0(PARAMS, Shares.random(1000, 4));
    assertThatThrownBy(() -> ShareCheck.checkFront(verifyCap(mine), 2,
        ByteArrayShare.wrap(other.shares()[2]))).hasMessageContaining("extension block");
    assertThatThrownBy(() -> ShareCheck.checkFront(verifyCap(mine), 3,
        ByteArrayShare.wrap(mine.shares()[2]))).hasMessageContaining("share 2");
    assertThatThrownBy(() -> ShareCheck.checkFront(verifyCap(mine), 10,
        ByteArrayShare.wrap(mine.shares()[2]))).hasMessageContaining("below n=10");
    assertThatThrownBy(() -> ShareCheck.checkFront(verifyCap(mine), 2,
        ByteArrayShare.wrap(Arrays.copyOf(mine.shares()[2], 100))))
        .hasMessageContaining("truncated");
  }

  @Test
  void theFrontCheckReadsNoBlockButTheFullCheckCatchesEveryFlippedByte() throws Exception {
    Shares s = Shares.encode0(PARAMS, Shares.random(300, 5)); // 5 segments, trees padded to 8
    byte[] share = s.shares()[7];
    ShareLayout layout = ShareLayout.of(PARAMS, 300);
    byte[] blockFlipped = share.clone();
    blockFlipped[(int) layout.blockOffset(2)] ^= 1;
    assertThat(ShareCheck.checkFront(verifyCap(s), 7, ByteArrayShare.wrap(blockFlipped))
        .segmentCount()).isEqualTo(5);
    for (int at = 0; at < share.length; at++) {
      byte[] bad = share.clone();
      bad[at] ^= 0x20;
      int pos = at;
      assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(s), 7, ByteArrayShare.wrap(bad)))
          .as("flip at %d", pos).isInstanceOf(IntegrityException.class);
    }
  }

  @Test
  void theFullCheckNamesAWrongInteriorNode() {
    Shares s = Shares.encode0(PARAMS, Shares.random(300, 6));
    ShareLayout layout = ShareLayout.of(PARAMS, 300);
    byte[] bad = s.shares()[0].clone();
    bad[(int) layout.segmentTreeNodeOffset(2)] ^= 1;
    assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(s), 0, ByteArrayShare.wrap(bad)))
        .hasMessageContaining("segment tree node 2");
  }

  /** Share 7 of a 5-segment file with the block tree node for leaf {@code leaf} flipped. */
  private static byte[] withBlockLeafFlipped(Shares s, int leaf) {
    ShareLayout layout = ShareLayout.of(PARAMS, 300);
    byte[] bad = s.shares()[7].clone();
    bad[(int) layout.blockTreeNodeOffset(MerkleTree.leafNode(5, leaf))] ^= 1;
    return bad;
  }

  /** Leaves 0..4 hash blocks; 5..7 pad the tree to 8 and are named as padding, from the first. */
  @Test
  void theFullCheckTellsABadBlockFromABadPaddingLeaf() {
    Shares s = Shares.encode0(PARAMS, Shares.random(300, 7));
    assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(s), 7,
        ByteArrayShare.wrap(withBlockLeafFlipped(s, 4))))
        .isInstanceOfSatisfying(IntegrityException.class, e ->
            assertThat(e.badShares()).containsExactly(
                Map.entry(7, "block 4 does not match its hash")));
    for (int leaf = 5; leaf < 8; leaf++) {
      int l = leaf;
      assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(s), 7,
          ByteArrayShare.wrap(withBlockLeafFlipped(s, l))))
          .isInstanceOfSatisfying(IntegrityException.class, e ->
              assertThat(e.badShares()).containsExactly(
                  Map.entry(7, "padding leaf " + l + " of the block tree is wrong")));
    }
  }

  /**
   * A segment tree that is consistent in itself but is another file's: every interior node is
   * the hash of its children, and only the comparison with the extension block's root catches it.
   */
  @Test
  void aWholeSegmentTreeOfAnotherFileIsCaughtByItsRoot() {
    Shares mine = Shares.encode0(PARAMS, Shares.random(300, 8));
    Shares other = Shares.encode0(PARAMS, Shares.random(300, 9));
    ShareLayout layout = ShareLayout.of(PARAMS, 300);
    byte[] bad = mine.shares()[3].clone();
    int from = (int) layout.segmentTreeOffset();
    int to = (int) layout.blockTreeOffset();
    System.arraycopy(other.shares()[3], from, bad, from, to - from);
    assertThat(Arrays.copyOfRange(bad, from, to))
        .isNotEqualTo(Arrays.copyOfRange(mine.shares()[3], from, to));
    assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(mine), 3, ByteArrayShare.wrap(bad)))
        .isInstanceOfSatisfying(IntegrityException.class, e ->
            assertThat(e.badShares()).containsExactly(
                Map.entry(3, "segment tree root differs from the extension block's")));
  }

  /**
   * The full check proves the block tree it reads, root included: a server that serves the
   * verified root to the front check and another one when the tree is read is caught.
   */
  @Test
  void aBlockTreeRootThatChangesBetweenReadsIsCaught() {
    Shares s = Shares.encode0(PARAMS, Shares.random(300, 10));
    ShareLayout layout = ShareLayout.of(PARAMS, 300);
    byte[] good = s.shares()[2];
    long root = layout.blockTreeNodeOffset(0);
    int[] rootReads = {0};
    ShareSource changing = (offset, dst, off, len) -> {
      ByteArrayShare.wrap(good).read(offset, dst, off, len);
      if (offset <= root && root < offset + len && rootReads[0]++ > 0) {
        dst[off + (int) (root - offset)] ^= 1;
      }
    };
    assertThatThrownBy(() -> ShareCheck.checkAll(verifyCap(s), 2, changing))
        .isInstanceOfSatisfying(IntegrityException.class, e ->
            assertThat(e.badShares()).containsExactly(
                Map.entry(2, "block tree node 0 is not the hash of its children")));
    assertThat(rootReads[0]).isEqualTo(2);
  }
}
