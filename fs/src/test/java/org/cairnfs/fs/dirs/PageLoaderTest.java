package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.InnerPage;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;
import org.junit.jupiter.api.Test;

/** A page read must fit where its parent puts it: its length, and its separators' range. */
class PageLoaderTest {
  private final MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());

  private static PageKey key(String s) {
    return PageKey.of(s.getBytes(StandardCharsets.UTF_8));
  }

  private PageRef inner() throws IOException {
    List<PageRef> children = List.of(store.put(new byte[100]), store.put(new byte[101]),
        store.put(new byte[102]));
    return store.put(PageCodec.encodeInner(new InnerPage(1, List.of(key("m"), key("t")),
        children)));
  }

  @Test
  void anInnerPagesSeparatorsLieStrictlyInsideItsRange() throws IOException {
    PageRef page = inner();
    PageLoader loader = new PageLoader(store);
    assertThat(((PageNode.Inner) loader.load(page, 1, key("l"), key("u"))).children)
        .hasSize(3);
    assertThatThrownBy(() -> loader.load(page, 1, key("m"), null))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("outside the range");
    assertThatThrownBy(() -> loader.load(page, 1, null, key("t")))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("outside the range");
  }

  @Test
  void aLeafsNamesLieInsideItsRangeTheUpperBoundExcluded() throws IOException {
    PageRef leaf = store.put(PageCodec.encodeLeaf(List.of(Entries.file("b", 1),
        Entries.file("c", 1), Entries.file("d", 1))));
    PageLoader loader = new PageLoader(store);
    assertThat(((PageNode.Leaf) loader.load(leaf, 0, key("b"), key("d\0"))).entries)
        .hasSize(3);
    assertThatThrownBy(() -> loader.load(leaf, 0, key("c"), null))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("outside the range");
    assertThatThrownBy(() -> loader.load(leaf, 0, null, key("d")))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("outside the range");
  }

  @Test
  void anInnerPageAtAnotherLevelThanItsParentSaysIsRefused() throws IOException {
    PageRef page = inner();
    assertThatThrownBy(() -> new PageLoader(store).load(page, 2, null, null))
        .isInstanceOf(DirectoryFormatException.class)
        .hasMessageContaining("expected an inner page at level 2, found level 1");
  }

  @Test
  void aPageOfAnotherLengthThanItsRefIsRefused() throws IOException {
    PageRef page = inner();
    PageStore padding = new PageStore() {
      @Override
      public PageRef put(byte[] p) throws IOException {
        return store.put(p);
      }

      @Override
      public byte[] get(PageRef.Stored p) throws IOException {
        byte[] b = store.get(p);
        return Arrays.copyOf(b, b.length + 1);
      }
    };
    assertThatThrownBy(() -> new PageLoader(padding).load(page, 1, null, null))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("its ref says");
  }
}
