package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.DirectoryCodec;
import org.cairnfs.caps.dirnode.DirectoryContents;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.FlatRoot;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;
import org.junit.jupiter.api.Test;

class DirectoryTreeTest {
  private final MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
  private final PagingPolicy policy = PagingPolicy.DEFAULT;

  private DirectoryTree reopen(TreeCommit c) {
    return DirectoryTree.open(c.root(), store, policy);
  }

  private List<String> names(DirectoryTree t) throws IOException {
    List<String> out = new ArrayList<>();
    t.list(e -> out.add(e.name().text()));
    return out;
  }

  private static List<String> expectedNames(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Entries.name(i));
    }
    return out;
  }

  @Test
  void anEmptyDirectoryIsAnEmptyFlatRoot() throws IOException {
    TreeCommit c = DirectoryTree.empty(store, policy).commit();
    assertThat(c.root()).isEqualTo(DirectoryCodec.encode(DirectoryContents.empty()));
    assertThat(c.written()).isEmpty();
    assertThat(c.height()).isZero();
    assertThat(c.changed()).isTrue();
    assertThat(reopen(c).commit().changed()).isFalse();
  }

  @Test
  void aSmallDirectoryStaysFlatAndWritesNoPages() throws IOException {
    DirectoryTree t = DirectoryTree.empty(store, policy);
    for (int i = 0; i < 100; i++) {
      t.put(Entries.file(Entries.name(i), 0));
    }
    TreeCommit c = t.commit();
    assertThat(DirectoryRoot.decode(c.root())).isInstanceOf(FlatRoot.class);
    assertThat(c.written()).isEmpty();
    assertThat(store.puts).isZero();
    assertThat(names(reopen(c))).isEqualTo(expectedNames(0, 100));
  }

  @Test
  void itPagesPastTheThresholdAndGoesFlatAgainWhenItShrinks() throws IOException {
    DirectoryTree t = DirectoryTree.empty(store, policy);
    int n = 0;
    while (!t.isPaged()) {
      t.put(Entries.file(Entries.name(n++), 0));
    }
    TreeCommit paged = t.commit();
    assertThat(DirectoryRoot.decode(paged.root())).isInstanceOf(PagedRoot.class);
    assertThat(paged.height()).isEqualTo(1);
    assertThat(paged.written()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(paged.root().length).isLessThan(1024);
    DirectoryTree back = reopen(paged);
    assertThat(back.size()).isEqualTo(n);
    assertThat(names(back)).isEqualTo(expectedNames(0, n));
    for (int i = 0; i < n; i += 7) {
      assertThat(back.get(EntryName.of(Entries.name(i)))).contains(Entries.file(Entries.name(i),
          0));
    }
    assertThat(back.get(EntryName.of("nope"))).isEmpty();

    int left = n;
    while (back.isPaged()) {
      back.remove(EntryName.of(Entries.name(--left)));
    }
    TreeCommit flat = back.commit();
    assertThat(DirectoryRoot.decode(flat.root())).isInstanceOf(FlatRoot.class);
    assertThat(flat.root().length).as("one leaf or less").isLessThanOrEqualTo(
        policy.maxPageBytes() + 2);
    assertThat(flat.written()).isEmpty();
    assertThat(flat.released()).containsExactlyInAnyOrderElementsOf(paged.written());
    assertThat(names(reopen(flat))).isEqualTo(expectedNames(0, left));
  }

  @Test
  void aLargeVersionOneDirectoryReadsAndPagesOnItsFirstWrite() throws IOException {
    DirectoryContents.Builder b = DirectoryContents.builder();
    for (int i = 0; i < 5000; i++) {
      b.put(Entries.file(Entries.name(i), 0));
    }
    byte[] v1 = DirectoryCodec.encode(b.build());
    DirectoryTree t = DirectoryTree.open(v1, store, policy);
    assertThat(t.get(EntryName.of(Entries.name(4321)))).isPresent();
    assertThat(t.isPaged()).isFalse();
    t.put(Entries.file("new", 0));
    TreeCommit c = t.commit();
    assertThat(c.height()).isGreaterThanOrEqualTo(1);
    DirectoryTree back = reopen(c);
    assertThat(back.size()).isEqualTo(5001);
    List<String> expected = expectedNames(0, 5000);
    expected.add("new");
    assertThat(names(back)).isEqualTo(expected);
  }

  @Test
  void listingResumesAfterAName() throws IOException {
    DirectoryTree t = build(3000);
    List<String> out = new ArrayList<>();
    t.listAfter(EntryName.of(Entries.name(2500)), e -> out.add(e.name().text()));
    assertThat(out).isEqualTo(expectedNames(2501, 3000));
    out.clear();
    t.listAfter(EntryName.of("file-001234.dat~"), e -> out.add(e.name().text()) && out.size() < 3);
    assertThat(out).isEqualTo(expectedNames(1235, 1238));
  }

  @Test
  void renameReSealsTheWriteCapForTheNewName() throws IOException {
    ChildWriteCapKey key = ChildWriteCapKey.of(Entries.DIRECTORY);
    SecureRandom random = new SecureRandom();
    DirectoryTree t = build(2000);
    DirectoryEntry sub = Entries.writableDir(key, "photos", 9, random);
    t.put(sub);
    new DirectoryChanges().rename(EntryName.of("photos"), EntryName.of("pictures"))
        .applyTo(t, Optional.of(key), random);
    DirectoryTree back = reopen(t.commit());
    assertThat(back.get(EntryName.of("photos"))).isEmpty();
    DirectoryEntry moved = back.get(EntryName.of("pictures")).orElseThrow();
    assertThat(moved.readCap()).isEqualTo(sub.readCap());
    assertThat(key.open(moved.name(), moved.writeCap().orElseThrow()))
        .isEqualTo(Entries.directory(9).toString());
    assertThatThrownBy(() -> new DirectoryChanges()
        .rename(EntryName.of("pictures"), EntryName.of("x"))
        .applyTo(back, Optional.empty(), random))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("write-cap key");
  }

  @Test
  void everyStoredPageIsVisitedAndReleasedPagesAreNotInTheNewVersion() throws IOException {
    DirectoryTree t = build(20_000);
    TreeCommit first = t.commit();
    Set<PageRef.Stored> before = pages(reopen(first));
    assertThat(before).hasSize(first.written().size() == 0 ? before.size() : before.size());
    t.remove(EntryName.of(Entries.name(777)));
    t.put(Entries.file(Entries.name(15_000), 9));
    TreeCommit second = t.commit();
    Set<PageRef.Stored> after = pages(reopen(second));
    assertThat(before).containsAll(second.released());
    assertThat(after).doesNotContainAnyElementsOf(second.released());
    assertThat(after).containsAll(second.written());
    Set<PageRef.Stored> kept = new HashSet<>(before);
    kept.removeAll(second.released());
    kept.addAll(second.written());
    assertThat(after).isEqualTo(kept);
  }

  @Test
  void aPageOutsideTheRangeItsParentGivesIsRefused() throws IOException {
    DirectoryTree t = build(3000);
    PagedRoot root = (PagedRoot) DirectoryRoot.decode(t.commit().root());
    assertThat(root.height()).isEqualTo(1);
    // Swap the first two children: each leaf now sits under the wrong range.
    List<PageRef> swapped = new ArrayList<>(root.children());
    swapped.set(0, root.children().get(1));
    swapped.set(1, root.children().get(0));
    byte[] bad = new PagedRoot(1, root.entryCount(), root.separators(), swapped).encode();
    DirectoryTree hostile = DirectoryTree.open(bad, store, policy);
    assertThatThrownBy(() -> hostile.get(EntryName.of(Entries.name(0))))
        .isInstanceOf(DirectoryFormatException.class)
        .hasMessageContaining("outside the range");
    // and a name routed to the second child finds names below that child's lower bound
    EntryName inSecond = PageCodec.decodeLeaf(store.get((PageRef.Stored) root.children().get(1)))
        .get(0).name();
    assertThatThrownBy(() -> hostile.get(inSecond))
        .isInstanceOf(DirectoryFormatException.class)
        .hasMessageContaining("outside the range");
    // A root claiming an extra level finds a leaf where an inner page should be.
    byte[] deeper = new PagedRoot(2, root.entryCount(), root.separators(), root.children())
        .encode();
    assertThatThrownBy(() -> DirectoryTree.open(deeper, store, policy)
        .get(EntryName.of(Entries.name(0)))).isInstanceOf(DirectoryFormatException.class);
  }

  private DirectoryTree build(int n) throws IOException {
    DirectoryTree t = DirectoryTree.empty(store, policy);
    for (int i = 0; i < n; i++) {
      t.put(Entries.file(Entries.name(i), 0));
    }
    return reopen(t.commit());
  }

  private static Set<PageRef.Stored> pages(DirectoryTree t) throws IOException {
    Set<PageRef.Stored> out = new HashSet<>();
    t.forEachPage((p, level) -> assertThat(out.add(p)).as("pages are unique").isTrue());
    return out;
  }
}
