package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;
import org.junit.jupiter.api.Test;

/**
 * Where a split cuts: greedily up to the target, then the last two pieces evened out, every
 * piece keeping its minimum number of items. Sizes are picked so that each rule decides the
 * answer.
 */
class PageSplitterTest {
  private static List<Integer> cuts(int header, int max, int minItems, long... sizes) {
    return PageSplitter.cuts(sizes, header, max, minItems);
  }

  @Test
  void aPieceIsCutWhenTheNextItemWouldPassTheTargetNotWhenItReachesIt() {
    // 200 fits a 200-byte target exactly: the cut comes at the third item, not the second
    assertThat(cuts(0, 200, 1, 100, 100, 100, 100)).containsExactly(0, 2);
    // the header counts: with 1 byte of header, 100 + 100 no longer fits
    assertThat(cuts(1, 200, 1, 100, 100, 100, 100)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void aPieceOfOneItemMayBeCutAfterWhenOneItemIsTheMinimum() {
    assertThat(cuts(0, 150, 1, 100, 100, 100)).containsExactly(0, 1, 2);
  }

  @Test
  void theLastPieceKeepsTheMinimumNumberOfItems() {
    // 5 items of 100 in pieces of 250 with two items each at least: a third piece would hold
    // one item, so the second takes three
    assertThat(cuts(0, 250, 2, 100, 100, 100, 100, 100)).containsExactly(0, 2);
  }

  @Test
  void theLastTwoPiecesAreEvenedOutWithinTheMinimumNumberOfItems() {
    // one item each at least: the best balance is after the first item
    assertThat(cuts(0, 1000, 1, 100, 1, 1)).containsExactly(0, 1);
    // two items each at least: the right side may not drop to one item, even if that would
    // balance better
    assertThat(cuts(0, 1000, 2, 10, 10, 10, 100)).containsExactly(0, 2);
    assertThat(cuts(0, 1000, 2, 100, 10, 10, 10)).containsExactly(0, 2);
    // a tie goes to the first cut
    assertThat(cuts(0, 1000, 1, 1, 2, 1)).containsExactly(0, 1);
  }

  @Test
  void theLastTwoPiecesAreEvenedOutFromTheStartOfTheOneBeforeLast() {
    // greedy: [0,2) [2,4) [4,6); items 2..5 are evened with two items each at least, so the
    // cut stays at 4 (one at 3 balances better but would leave a piece of one item)
    assertThat(cuts(0, 30, 2, 1, 1, 30, 10, 10, 1)).containsExactly(0, 2, 4);
    // greedy: [0,3) [3,6) [6,9); items 3..8 are evened: 30 | 12 is the best cut
    assertThat(cuts(0, 35, 2, 10, 10, 10, 10, 10, 10, 10, 1, 1)).containsExactly(0, 3, 5);
  }

  @Test
  void anInnerNodeSplitsIntoPagesWithinTheTargetCountingItsSeparators() throws IOException {
    MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
    List<PageKey> keys = new ArrayList<>();
    List<PageRef> refs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      refs.add(store.put(new byte[100 + i]));
      if (i > 0) {
        keys.add(PageKey.of(("separator-long-enough-to-count-" + (1000 + i)).getBytes(
            java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
    PageNode.Inner inner = PageLoader.inner(1, keys, refs);
    int max = 1024;
    PageSplitter.Split split = PageSplitter.split(inner, max);
    assertThat(split.pieces()).hasSizeGreaterThan(2);
    int children = 0;
    for (PageNode p : split.pieces()) {
      PageNode.Inner piece = (PageNode.Inner) p;
      assertThat(piece.length(false)).isLessThanOrEqualTo(max);
      children += piece.children.size();
    }
    assertThat(children).isEqualTo(40);
  }

  @Test
  void aLeafOfTwoEntriesAndAnInnerNodeOfFourChildrenAreTheSmallestSplittable()
      throws IOException {
    assertThat(PageSplitter.splittable(new PageNode.Leaf(List.of(Entries.file("a", 0)))))
        .isFalse();
    assertThat(PageSplitter.splittable(new PageNode.Leaf(List.of(Entries.file("a", 0),
        Entries.file("b", 0))))).isTrue();
    MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
    List<PageKey> keys = new ArrayList<>();
    List<PageRef> refs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      refs.add(store.put(new byte[100 + i]));
      if (i > 0) {
        keys.add(PageKey.of(new byte[] {(byte) ('a' + i)}));
      }
    }
    assertThat(PageSplitter.splittable(PageLoader.inner(1, keys.subList(0, 2),
        refs.subList(0, 3)))).isFalse();
    assertThat(PageSplitter.splittable(PageLoader.inner(1, keys, refs))).isTrue();
  }
}
