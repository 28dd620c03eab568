package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.InnerPage;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;
import org.junit.jupiter.api.Test;

/**
 * The size rules at their exact bounds, on trees built page by page: every test entry encodes
 * to the same length, so a page of exactly the target, the minimum fill or the flat bounds can
 * be made, and the rule must leave it alone; and the paths the default policy rarely takes
 * (going flat over several leaves, a root left with one stored child, an inner page left with
 * one child).
 */
class TreeBalancerTest {
  private final MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());

  static DirectoryEntry e(int i) {
    return Entries.file(Entries.name(i), 0);
  }

  static final int L = PageCodec.entryLength(e(0));
  static final int LEAF = PageCodec.leafHeaderLength();

  /** Entries [from, to). */
  static List<DirectoryEntry> range(int from, int to) {
    List<DirectoryEntry> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(e(i));
    }
    return out;
  }

  static PagingPolicy policy(int maxPage, int flatMax, int flatMin, int minFill) {
    return new PagingPolicy(maxPage, flatMax, flatMin, minFill);
  }

  record Level(List<PageKey> separators, List<PageRef> refs, long count) {}

  /** Stores one leaf per group of entries {from, to}. */
  private Level leaves(int[]... groups) throws IOException {
    List<PageKey> seps = new ArrayList<>();
    List<PageRef> refs = new ArrayList<>();
    DirectoryEntry last = null;
    long count = 0;
    for (int[] g : groups) {
      List<DirectoryEntry> es = range(g[0], g[1]);
      if (last != null) {
        seps.add(PageKey.between(last.name(), es.get(0).name()));
      }
      refs.add(store.put(PageCodec.encodeLeaf(es)));
      last = es.get(es.size() - 1);
      count += es.size();
    }
    return new Level(seps, refs, count);
  }

  private byte[] root(Level l) {
    return new PagedRoot(1, l.count(), l.separators(), l.refs()).encode();
  }

  private static PagedRoot paged(TreeCommit c) {
    return (PagedRoot) DirectoryRoot.decode(c.root());
  }

  private static EntryName n(int i) {
    return EntryName.of(Entries.name(i));
  }

  private List<String> names(DirectoryTree t) throws IOException {
    List<String> out = new ArrayList<>();
    t.list(x -> out.add(x.name().text()));
    return out;
  }

  @Test
  void everyTestEntryHasTheSameLength() {
    assertThat(PageCodec.entryLength(Entries.file(Entries.name(123_456), 1))).isEqualTo(L);
  }

  @Test
  void aLeafOfExactlyTheTargetIsNotSplitAndOneEntryMoreIs() throws IOException {
    int k = (512 - LEAF) / L + 1;
    int max = LEAF + k * L;
    PagingPolicy p = policy(max, 2 * max, 0, 0);
    DirectoryTree t = DirectoryTree.open(root(leaves(new int[] {0, k - 1},
        new int[] {1000, 1005})), store, p);
    t.put(e(k - 1));
    TreeCommit exact = t.commit();
    assertThat(paged(exact).children()).hasSize(2);
    assertThat(exact.written().get(0).size()).isEqualTo(max);
    t.put(e(k));
    assertThat(paged(t.commit()).children()).hasSize(3);
  }

  @Test
  void aLeafOfExactlyTheMinimumFillIsNotJoinedAndOneEntryLessIs() throws IOException {
    int k = 4;
    int minFill = LEAF + k * L;
    PagingPolicy p = policy(4 * minFill, 8 * minFill, 0, minFill);
    DirectoryTree t = DirectoryTree.open(root(leaves(new int[] {0, k + 1},
        new int[] {1000, 1000 + k + 5}, new int[] {2000, 2000 + k + 5})), store, p);
    t.remove(n(0));
    assertThat(paged(t.commit()).children()).hasSize(3);
    t.remove(n(1));
    assertThat(paged(t.commit()).children()).hasSize(2);
  }

  @Test
  void aJoinOfExactlyTheTargetIsKeptWhole() throws IOException {
    int k = (512 - LEAF) / L + 1;
    int max = LEAF + k * L;
    PagingPolicy p = policy(max, 2 * max, 0, max / 2);
    DirectoryTree t = DirectoryTree.open(root(leaves(new int[] {0, 2},
        new int[] {1000, 1000 + k - 1}, new int[] {2000, 2000 + k})), store, p);
    t.remove(n(0)); // one entry left: under the minimum fill, joined with its neighbour
    TreeCommit c = t.commit();
    assertThat(paged(c).children()).hasSize(2);
    assertThat(c.written().get(0).size()).isEqualTo(max);
  }

  @Test
  void aFlatDirectoryOfExactlyFlatMaxStaysFlat() throws IOException {
    int k = (512 - 9) / L + 1;
    int flatMax = 9 + k * L;
    PagingPolicy p = policy(512, flatMax, 0, 0);
    DirectoryTree t = DirectoryTree.empty(store, p);
    for (int i = 0; i < k; i++) {
      t.put(e(i));
    }
    assertThat(t.isPaged()).isFalse();
    assertThat(t.commit().root()).hasSize(flatMax);
    t.put(e(k));
    assertThat(t.isPaged()).isTrue();
    // a byte under: the same k entries page (a flat root counts its 9-byte header)
    DirectoryTree under = DirectoryTree.empty(store, policy(512, flatMax - 1, 0, 0));
    for (int i = 0; i < k; i++) {
      under.put(e(i));
    }
    assertThat(under.isPaged()).isTrue();
  }

  @Test
  void aRootOfExactlyTheTargetIsNotSplit() throws IOException {
    int[][] groups = new int[20][];
    for (int i = 0; i < groups.length; i++) {
      groups[i] = new int[] {10 * i, 10 * i + 1};
    }
    Level l = leaves(groups);
    int max = (int) PageLoader.inner(1, l.separators(), l.refs()).length(true);
    assertThat(max).isGreaterThanOrEqualTo(512);
    PagingPolicy p = policy(max, 2 * max, 0, 0);
    DirectoryTree t = DirectoryTree.open(root(l), store, p);
    t.put(Entries.file(Entries.name(50), 1)); // a leaf rewritten: the root's size is the same
    TreeCommit c = t.commit();
    assertThat(c.height()).isEqualTo(1);
    assertThat(c.root()).hasSize(max);
    DirectoryTree under = DirectoryTree.open(root(l), store, policy(max - 1, 2 * max, 0, 0));
    under.put(Entries.file(Entries.name(50), 1));
    assertThat(under.commit().height()).as("a byte under the target").isEqualTo(2);
  }

  @Test
  void aPagedDirectoryOverSeveralLeavesGoesFlatAtExactlyFlatMinAndReleasesThem()
      throws IOException {
    int flatMin = 10 * L;
    int maxPage = Math.max(512, LEAF + 4 * L);
    PagingPolicy p = policy(maxPage, Math.max(maxPage, 2 * flatMin), flatMin, 0);
    Level l = leaves(new int[] {0, 4}, new int[] {10, 14}, new int[] {20, 24});
    DirectoryTree t = DirectoryTree.open(root(l), store, p);
    t.remove(n(0));
    assertThat(t.isPaged()).as("11 entries").isTrue();
    t.remove(n(10));
    assertThat(t.isPaged()).as("10 entries, in three leaves").isFalse();
    TreeCommit c = t.commit();
    assertThat(c.released()).containsExactlyInAnyOrderElementsOf(stored(l.refs()));
    assertThat(names(DirectoryTree.open(c.root(), store, p))).containsExactly(
        Entries.name(1), Entries.name(2), Entries.name(3), Entries.name(11), Entries.name(12),
        Entries.name(13), Entries.name(20), Entries.name(21), Entries.name(22),
        Entries.name(23));
  }

  @Test
  void aRootLeftWithOneStoredChildBecomesThatChildAndReleasesItsPage() throws IOException {
    Level l = leaves(new int[] {0, 1}, new int[] {10, 15});
    DirectoryTree t = DirectoryTree.open(root(l), store, PagingPolicy.DEFAULT);
    t.remove(n(0));
    assertThat(t.isPaged()).isFalse();
    TreeCommit c = t.commit();
    assertThat(c.released()).containsExactlyInAnyOrderElementsOf(stored(l.refs()));
    assertThat(c.written()).isEmpty();
  }

  @Test
  void anInnerPageLeftWithOneChildIsJoinedWithItsNeighbour() throws IOException {
    Level a = leaves(new int[] {0, 1}, new int[] {10, 12});
    Level b = leaves(new int[] {20, 22}, new int[] {30, 32});
    PageRef ia = store.put(PageCodec.encodeInner(new InnerPage(1, a.separators(), a.refs())));
    PageRef ib = store.put(PageCodec.encodeInner(new InnerPage(1, b.separators(), b.refs())));
    PageKey middle = PageKey.between(n(11), n(20));
    byte[] root = new PagedRoot(2, 7, List.of(middle), List.of(ia, ib)).encode();
    PagingPolicy p = policy(16 * 1024, 32 * 1024, 0, 0); // no joins for size: only for one child
    DirectoryTree t = DirectoryTree.open(root, store, p);
    t.remove(n(0)); // the first leaf empties: its inner page keeps one child
    TreeCommit c = t.commit();
    assertThat(c.height()).isEqualTo(1);
    assertThat(paged(c).children()).hasSize(3);
    assertThat(names(DirectoryTree.open(c.root(), store, p))).containsExactly(Entries.name(10),
        Entries.name(11), Entries.name(20), Entries.name(21), Entries.name(30),
        Entries.name(31));
  }

  @Test
  void anInnerPageLeftWithTwoChildrenIsNotJoined() throws IOException {
    Level a = leaves(new int[] {0, 1}, new int[] {10, 12}, new int[] {14, 16});
    Level b = leaves(new int[] {20, 22}, new int[] {30, 32});
    PageRef ia = store.put(PageCodec.encodeInner(new InnerPage(1, a.separators(), a.refs())));
    PageRef ib = store.put(PageCodec.encodeInner(new InnerPage(1, b.separators(), b.refs())));
    PageKey middle = PageKey.between(n(15), n(20));
    byte[] root = new PagedRoot(2, 9, List.of(middle), List.of(ia, ib)).encode();
    PagingPolicy p = policy(16 * 1024, 32 * 1024, 0, 0);
    DirectoryTree t = DirectoryTree.open(root, store, p);
    t.remove(n(0)); // the first leaf empties: its inner page keeps two children
    TreeCommit c = t.commit();
    assertThat(c.height()).isEqualTo(2);
    assertThat(paged(c).children()).hasSize(2);
    assertThat(names(DirectoryTree.open(c.root(), store, p))).hasSize(8);
  }

  /**
   * A changed child counts as a stored ref when its parent is sized, even if its old page was
   * inline: its new page is not written yet. Leaves of one short symlink each are inline pages
   * (a literal cap in the root); after one is changed the root's estimate is exact at the
   * target and a byte over it one below.
   */
  @Test
  void aChangedInlineChildIsSizedAsAStoredRef() throws IOException {
    List<PageKey> seps = new ArrayList<>();
    List<PageRef> refs = new ArrayList<>();
    EntryName last = null;
    for (int i = 0; i < 12; i++) {
      String text = String.valueOf((char) ('b' + 2 * i));
      EntryName name = EntryName.of(text);
      if (last != null) {
        seps.add(PageKey.between(last, name));
      }
      refs.add(store.put(PageCodec.encodeLeaf(List.of(Entries.symlink(text, "x")))));
      last = name;
    }
    assertThat(refs).allSatisfy(r -> assertThat(r).isInstanceOf(PageRef.Inline.class));
    long estimate = PageCodec.rootHeaderLength() - PageCodec.refLength(refs.get(0))
        + PageCodec.refLength(null);
    for (PageKey k : seps) {
      estimate += PageCodec.separatorLength(k);
    }
    for (PageRef r : refs) {
      estimate += PageCodec.refLength(r);
    }
    assertThat(estimate).isGreaterThanOrEqualTo(512);
    byte[] root = new PagedRoot(1, 12, seps, refs).encode();
    for (int max : new int[] {(int) estimate, (int) estimate - 1}) {
      DirectoryTree t = DirectoryTree.open(root, store, policy(max, 2 * max, 0, 0));
      t.put(Entries.symlink("b", "y")); // the same length: only the ref's estimate grows
      assertThat(t.commit().height()).as("target %d, estimate %d", max, estimate)
          .isEqualTo(max == estimate ? 1 : 2);
    }
  }

  private static List<PageRef.Stored> stored(List<PageRef> refs) {
    List<PageRef.Stored> out = new ArrayList<>();
    for (PageRef r : refs) {
      out.add((PageRef.Stored) r);
    }
    return out;
  }
}
