package org.cairnfs.fs.dirs;

import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;

/**
 * Cuts an over-full node into pages of at most the target size, and joins two neighbours. Cuts
 * are greedy (each page filled up to the target), then the last two pages are evened out so
 * that no page is left nearly empty; a leaf keeps at least one entry and an inner page at least
 * two children, even if that exceeds the target.
 */
final class PageSplitter {
  private PageSplitter() {}

  /** Pieces of a split and the separators between them. */
  record Split(List<PageNode> pieces, List<PageKey> keys) {}

  static boolean splittable(PageNode node) {
    return node instanceof PageNode.Leaf l ? l.entries.size() >= 2
        : ((PageNode.Inner) node).children.size() >= 4;
  }

  static Split split(PageNode node, int maxBytes) {
    if (node instanceof PageNode.Leaf leaf) {
      long[] sizes = new long[leaf.entries.size()];
      for (int i = 0; i < sizes.length; i++) {
        // in the version-3 layout when any entry needs it (a piece may end up smaller)
        sizes[i] = PageCodec.entryLength(leaf.entries.get(i), leaf.version3());
      }
      List<Integer> starts = cuts(sizes, PageCodec.leafHeaderLength(), maxBytes, 1);
      List<PageNode> pieces = new ArrayList<>();
      List<PageKey> keys = new ArrayList<>();
      for (int p = 0; p < starts.size(); p++) {
        int from = starts.get(p);
        int to = p + 1 < starts.size() ? starts.get(p + 1) : sizes.length;
        if (p > 0) {
          keys.add(PageKey.between(leaf.entries.get(from - 1).name(),
              leaf.entries.get(from).name()));
        }
        PageNode.Leaf piece = new PageNode.Leaf(leaf.entries.subList(from, to));
        piece.dirty = true;
        pieces.add(piece);
      }
      return new Split(pieces, keys);
    }
    PageNode.Inner inner = (PageNode.Inner) node;
    long[] sizes = new long[inner.children.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = inner.children.get(i).refLength()
          + (i > 0 ? PageCodec.separatorLength(inner.separators.get(i - 1)) : 0);
    }
    List<Integer> starts = cuts(sizes, PageCodec.innerHeaderLength(), maxBytes, 2);
    List<PageNode> pieces = new ArrayList<>();
    List<PageKey> keys = new ArrayList<>();
    for (int p = 0; p < starts.size(); p++) {
      int from = starts.get(p);
      int to = p + 1 < starts.size() ? starts.get(p + 1) : sizes.length;
      if (p > 0) {
        keys.add(inner.separators.get(from - 1));
      }
      PageNode.Inner piece = new PageNode.Inner(inner.level,
          inner.separators.subList(from, to - 1), inner.children.subList(from, to));
      piece.dirty = true;
      pieces.add(piece);
    }
    return new Split(pieces, keys);
  }

  /** Start index of each piece; every piece has at least {@code minItems} items. */
  static List<Integer> cuts(long[] sizes, int header, int maxBytes, int minItems) {
    int n = sizes.length;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    long current = header;
    int items = 0;
    for (int i = 0; i < n; i++) {
      if (items >= minItems && n - i >= minItems && current + sizes[i] > maxBytes) {
        starts.add(i);
        current = header;
        items = 0;
      }
      current += sizes[i];
      items++;
    }
    if (starts.size() == 1) {
      starts.add(balanced(sizes, 0, n, minItems));
      return starts;
    }
    int last = starts.size() - 1;
    starts.set(last, balanced(sizes, starts.get(last - 1), n, minItems));
    return starts;
  }

  /** The cut in {@code [from + minItems, to - minItems]} that best balances the two sides. */
  private static int balanced(long[] sizes, int from, int to, int minItems) {
    long total = 0;
    for (int i = from; i < to; i++) {
      total += sizes[i];
    }
    int best = from + minItems;
    long bestDiff = Long.MAX_VALUE;
    long left = 0;
    for (int i = from; i < to - minItems; i++) {
      left += sizes[i];
      int cut = i + 1;
      if (cut - from < minItems) {
        continue;
      }
      long diff = Math.abs(total - 2 * left);
      if (diff < bestDiff) {
        bestDiff = diff;
        best = cut;
      }
    }
    return best;
  }

  /** Two neighbours as one node; {@code between} is the parent's separator between them. */
  static PageNode join(PageNode left, PageNode right, PageKey between) {
    if (left instanceof PageNode.Leaf a) {
      List<DirectoryEntry> all = new ArrayList<>(a.entries);
      all.addAll(((PageNode.Leaf) right).entries);
      PageNode.Leaf joined = new PageNode.Leaf(all);
      joined.dirty = true;
      return joined;
    }
    PageNode.Inner a = (PageNode.Inner) left;
    PageNode.Inner b = (PageNode.Inner) right;
    List<PageKey> keys = new ArrayList<>(a.separators);
    keys.add(between);
    keys.addAll(b.separators);
    List<PageNode.Slot> children = new ArrayList<>(a.children);
    children.addAll(b.children);
    PageNode.Inner joined = new PageNode.Inner(a.level, keys, children);
    joined.dirty = true;
    return joined;
  }
}
