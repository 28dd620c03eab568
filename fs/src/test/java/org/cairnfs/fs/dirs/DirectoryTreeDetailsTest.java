package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;
import org.junit.jupiter.api.Test;

/**
 * What the tree answers beyond its entries: whether a put replaced, the entry-count limit, the
 * pages a listing announces and a page walk reads, the pages a commit releases, and a listing
 * stopped deep in the tree.
 */
class DirectoryTreeDetailsTest {
  private final MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
  private final PagingPolicy policy = PagingPolicy.DEFAULT;

  private DirectoryTree build(int n, PagingPolicy p) throws IOException {
    DirectoryTree t = DirectoryTree.empty(store, p);
    for (int i = 0; i < n; i++) {
      t.put(Entries.file(Entries.name(i), 0));
    }
    return DirectoryTree.open(t.commit().root(), store, p);
  }

  private static EntryName n(int i) {
    return EntryName.of(Entries.name(i));
  }

  private static List<PageRef> children(TreeCommit c) {
    return ((PagedRoot) DirectoryRoot.decode(c.root())).children();
  }

  @Test
  void putTellsWhetherItReplacedAndAnIdenticalPutWritesNothing() throws IOException {
    DirectoryTree t = build(3000, policy);
    assertThat(t.isPaged()).isTrue();
    assertThat(t.put(Entries.file(Entries.name(0), 0))).as("identical, first of its leaf")
        .isTrue();
    assertThat(t.put(Entries.file(Entries.name(1500), 0))).as("identical").isTrue();
    store.resetCounts();
    TreeCommit same = t.commit();
    assertThat(same.changed()).isFalse();
    assertThat(same.written()).isEmpty();
    assertThat(store.puts).isZero();

    assertThat(t.put(Entries.file(Entries.name(0), 1))).as("replaced, first of its leaf")
        .isTrue();
    assertThat(t.put(Entries.file(Entries.name(1500), 1))).as("replaced").isTrue();
    assertThat(t.put(Entries.file("new", 0))).as("added").isFalse();
    assertThat(t.size()).isEqualTo(3001);
  }

  @Test
  void aDirectoryHoldsAtMost2To32Minus1Entries() throws IOException {
    DirectoryTree t = build(3000, policy);
    PagedRoot root = (PagedRoot) DirectoryRoot.decode(t.commit().root());
    byte[] full = new PagedRoot(root.height(), 0xffffffffL, root.separators(), root.children())
        .encode();
    DirectoryTree f = DirectoryTree.open(full, store, policy);
    assertThatThrownBy(() -> f.put(Entries.file("one-more", 0)))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("2^32-1");
    assertThat(f.put(Entries.file(Entries.name(7), 1))).as("a replacement still goes").isTrue();
    f.remove(n(8));
    assertThat(f.put(Entries.file("one-more", 0))).isFalse();
    assertThat(f.size()).isEqualTo(0xffffffffL);
  }

  @Test
  void heightAndDescription() throws IOException {
    DirectoryTree t = build(3000, policy);
    assertThat(t.height()).isEqualTo(1);
    assertThat(t.toString()).isEqualTo("DirectoryTree[3000 entries, height 1]");
    DirectoryTree deep = build(300, DirectoryTreePropertiesTest.SMALL);
    assertThat(deep.height()).isEqualTo(deep.commit().height()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aListingAnnouncesThePagesItWillReadAndOnlyThose() throws IOException {
    DirectoryTree built = build(3000, policy);
    List<PageRef> kids = children(built.commit());
    DirectoryTree t = DirectoryTree.open(built.commit().root(), store, policy);
    t.list(e -> true);
    assertThat(t.size()).isEqualTo(3000);
    assertThat(store.prefetched).containsExactly(stored(kids));

    store.prefetched.clear();
    DirectoryTree r = DirectoryTree.open(built.commit().root(), store, policy);
    assertThat(r.get(n(0))).isPresent();
    // the first page is loaded now: it is not announced again
    r.list(e -> true);
    assertThat(store.prefetched).containsExactly(stored(kids.subList(1, kids.size())));
    store.prefetched.clear();
    DirectoryTree s = DirectoryTree.open(built.commit().root(), store, policy);
    EntryName inThird = firstNameOf(kids.get(2));
    s.listAfter(inThird, e -> true); // resumed in the third page: announces from there
    assertThat(store.prefetched).containsExactly(stored(kids.subList(2, kids.size())));
  }

  private EntryName firstNameOf(PageRef leaf) throws IOException {
    return org.cairnfs.caps.dirnode.PageCodec.decodeLeaf(store.get((PageRef.Stored) leaf))
        .get(0).name();
  }

  private static List<PageRef.Stored> stored(List<PageRef> refs) {
    List<PageRef.Stored> out = new ArrayList<>();
    for (PageRef r : refs) {
      out.add((PageRef.Stored) r);
    }
    return out;
  }

  @Test
  void aListingStoppedDeepInTheTreeVisitsNoMoreEntries() throws IOException {
    DirectoryTree t = build(300, DirectoryTreePropertiesTest.SMALL);
    assertThat(t.height()).isGreaterThanOrEqualTo(2);
    List<String> out = new ArrayList<>();
    t.list(e -> out.add(e.name().text()) && out.size() < 5);
    assertThat(out).containsExactly(Entries.name(0), Entries.name(1), Entries.name(2),
        Entries.name(3), Entries.name(4));
    out.clear();
    t.listAfter(n(100), e -> out.add(e.name().text()) && out.size() < 2);
    assertThat(out).containsExactly(Entries.name(101), Entries.name(102));
  }

  @Test
  void aPageWalkSkipsPagesChangedInMemory() throws IOException {
    DirectoryTree t = build(3000, policy);
    List<PageRef> kids = children(t.commit());
    t.put(Entries.file(Entries.name(0), 5)); // changes the first leaf, not committed
    Set<PageRef.Stored> seen = new HashSet<>();
    t.forEachPage((p, level) -> seen.add(p));
    Set<PageRef.Stored> expected = new HashSet<>(stored(kids.subList(1, kids.size())));
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void aPageWalkReadsOnlyTheInnerPagesNotLoadedYet() throws IOException {
    DirectoryTree fresh = build(300, DirectoryTreePropertiesTest.SMALL);
    int height = fresh.height();
    assertThat(height).isGreaterThanOrEqualTo(2);
    List<Integer> levels = new ArrayList<>();
    store.resetCounts();
    fresh.forEachPage((p, level) -> levels.add(level));
    long inner = levels.stream().filter(l -> l > 0).count();
    assertThat(store.gets).isEqualTo(inner);
    assertThat(levels.stream().filter(l -> l == 0).count()).isGreaterThan(inner);

    DirectoryTree looked = build(300, DirectoryTreePropertiesTest.SMALL);
    assertThat(looked.get(n(150))).isPresent(); // loads one inner page per level below the root
    store.resetCounts();
    List<Integer> again = new ArrayList<>();
    looked.forEachPage((p, level) -> again.add(level));
    assertThat(again).hasSameSizeAs(levels);
    assertThat(store.gets).isEqualTo(inner - (height - 1));
  }

  @Test
  void aCommitReleasesEachOldPageOnce() throws IOException {
    DirectoryTree t = build(3000, policy);
    List<PageRef> kids = children(t.commit());
    t.put(Entries.file(Entries.name(0), 5));
    TreeCommit first = t.commit();
    assertThat(first.released()).containsExactly((PageRef.Stored) kids.get(0));
    t.put(Entries.file(Entries.name(2999), 5));
    TreeCommit second = t.commit();
    assertThat(second.released()).containsExactly((PageRef.Stored) kids.get(kids.size() - 1));
    assertThat(t.commit().released()).isEmpty();
  }

  @Test
  void aStoreAnsweringWithARefOfAnotherSizeFailsTheCommit() throws IOException {
    DirectoryTree built = build(3000, policy);
    PageStore lying = new PageStore() {
      @Override
      public PageRef put(byte[] page) throws IOException {
        return store.put(Arrays.copyOf(page, page.length + 1));
      }

      @Override
      public byte[] get(PageRef.Stored page) throws IOException {
        return store.get(page);
      }
    };
    DirectoryTree t = DirectoryTree.open(built.commit().root(), lying, policy);
    t.put(Entries.file("new", 0));
    assertThatThrownBy(t::commit).isInstanceOf(IOException.class)
        .hasMessageContaining("page store returned a ref");
  }
}
