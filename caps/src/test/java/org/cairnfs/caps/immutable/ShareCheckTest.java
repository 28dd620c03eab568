package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ByteArrayShare;
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
}
