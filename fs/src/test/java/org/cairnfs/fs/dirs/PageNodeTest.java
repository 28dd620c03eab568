package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageCodec;
import org.junit.jupiter.api.Test;

/** A leaf's length is its page's length, also when it mixes plain and version-3 entries. */
class PageNodeTest {
  static DirectoryEntry fifo(String name) {
    return DirectoryEntry.symlink(EntryName.of(name), EntryMetadata.special(EntryKind.FIFO, 0,
        0644, Entries.TIME, Entries.TIME));
  }

  static DirectoryEntry tagged(String name) {
    return new DirectoryEntry(EntryName.of(name), Entries.file(name, 1).readCap(),
        java.util.Optional.empty(), Entries.file(name, 1).metadata()
            .withXattrs(Map.of("user.tag", new byte[100])));
  }

  @Test
  void aLeafKnowsItsEncodedLengthAsEntriesComeAndGo() {
    List<DirectoryEntry> plain = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      plain.add(Entries.file(Entries.name(i * 2), 1));
    }
    PageNode.Leaf leaf = new PageNode.Leaf(plain);
    assertLength(leaf);
    leaf.insert(leaf.find(EntryName.of(Entries.name(3))) * -1 - 1, fifo(Entries.name(3)));
    assertLength(leaf); // now version 3: every entry 6 bytes longer
    assertThat(leaf.version3()).isTrue();
    int at = leaf.find(EntryName.of(Entries.name(4)));
    leaf.set(at, tagged(Entries.name(4)));
    assertLength(leaf);
    leaf.removeAt(leaf.find(EntryName.of(Entries.name(3))));
    assertLength(leaf);
    leaf.set(leaf.find(EntryName.of(Entries.name(4))), Entries.file(Entries.name(4), 2));
    assertThat(leaf.version3()).isFalse();
    assertLength(leaf); // back to version 2's layout
  }

  private static void assertLength(PageNode.Leaf leaf) {
    assertThat(leaf.length(false)).isEqualTo(PageCodec.encodeLeaf(leaf.entries).length)
        .isEqualTo(PageCodec.leafLength(leaf.entries));
  }

  @Test
  void aSplitOfAMixedLeafGivesPagesWithinTheBound() {
    List<DirectoryEntry> entries = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      entries.add(i % 50 == 7 ? tagged(Entries.name(i)) : Entries.file(Entries.name(i), 1));
    }
    PageNode.Leaf leaf = new PageNode.Leaf(entries);
    int max = 8 * 1024;
    PageSplitter.Split split = PageSplitter.split(leaf, max);
    assertThat(split.pieces()).hasSizeGreaterThan(2);
    for (PageNode p : split.pieces()) {
      PageNode.Leaf piece = (PageNode.Leaf) p;
      assertThat(PageCodec.encodeLeaf(piece.entries).length).isLessThanOrEqualTo(max)
          .isEqualTo(piece.length(false));
    }
  }
}
