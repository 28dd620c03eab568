package org.cairnfs.fs.dirs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.InnerPage;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * Reads pages for the tree and checks each belongs where its parent puts it: its level, and
 * every name or separator inside the range the parent gives it.
 */
final class PageLoader {
  private final PageStore store;

  PageLoader(PageStore store) {
    this.store = store;
  }

  static PageNode.Inner inner(int level, List<PageKey> separators, List<PageRef> refs) {
    List<PageNode.Slot> slots = new ArrayList<>(refs.size());
    for (PageRef r : refs) {
      slots.add(new PageNode.Slot(r, null));
    }
    return new PageNode.Inner(level, separators, slots);
  }

  /** Child {@code i} of {@code parent}, loaded and attached on first use. */
  PageNode child(PageNode.Inner parent, int i, PageKey lo, PageKey hi)
      throws IOException {
    PageNode.Slot slot = parent.children.get(i);
    if (slot.node == null) {
      slot.node = load(slot.ref, parent.level - 1, lo, hi);
    }
    return slot.node;
  }

  /** Reads a page and checks it belongs where its parent puts it. */
  PageNode load(PageRef ref, int level, PageKey lo, PageKey hi) throws IOException {
    byte[] bytes = ref instanceof PageRef.Stored s ? store.get(s)
        : ((PageRef.Inline) ref).cap().data();
    if (ref.size() != bytes.length) {
      throw new DirectoryFormatException("page is " + bytes.length + " bytes, its ref says "
          + ref.size());
    }
    PageNode node;
    if (level == 0) {
      List<DirectoryEntry> entries = PageCodec.decodeLeaf(bytes);
      if ((lo != null && lo.compareTo(entries.get(0).name()) > 0)
          || (hi != null && hi.compareTo(entries.get(entries.size() - 1).name()) <= 0)) {
        throw new DirectoryFormatException("a leaf page holds names outside the range its"
            + " parent gives it");
      }
      node = new PageNode.Leaf(entries);
    } else {
      InnerPage page = PageCodec.decodeInner(bytes);
      if (page.level() != level) {
        throw new DirectoryFormatException("expected an inner page at level " + level
            + ", found level " + page.level());
      }
      List<PageKey> keys = page.separators();
      if ((lo != null && lo.compareTo(keys.get(0)) >= 0)
          || (hi != null && hi.compareTo(keys.get(keys.size() - 1)) <= 0)) {
        throw new DirectoryFormatException("an inner page's separators fall outside the range"
            + " its parent gives it");
      }
      node = inner(level, keys, page.children());
    }
    node.original = ref instanceof PageRef.Stored s ? s : null;
    return node;
  }
}
