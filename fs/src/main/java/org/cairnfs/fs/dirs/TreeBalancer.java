package org.cairnfs.fs.dirs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * Restores the page size rules after a change: splits pages over the target, joins pages under
 * the minimum fill with a neighbour, drops emptied leaves, and at the root pages a flat
 * directory that grew, adds or removes a level, or goes flat again. Every page it replaces is
 * added to {@code released}.
 */
final class TreeBalancer {
  private final PagingPolicy policy;
  private final PageLoader loader;
  private final Set<PageRef.Stored> released;

  TreeBalancer(PagingPolicy policy, PageLoader loader, Set<PageRef.Stored> released) {
    this.policy = policy;
    this.loader = loader;
    this.released = released;
  }

  /** Fixes child {@code i} of {@code parent}, whose own range is {@code [lo, hi)}. */
  void fixChild(PageNode.Inner parent, int i, PageKey lo, PageKey hi)
      throws IOException {
    PageNode node = parent.children.get(i).node;
    boolean empty = node instanceof PageNode.Leaf l && l.entries.isEmpty();
    if (empty) {
      release(node);
      parent.children.remove(i);
      if (!parent.separators.isEmpty()) {
        parent.separators.remove(i == 0 ? 0 : i - 1);
      }
      return;
    }
    int max = policy.maxPageBytes();
    if (node.length(false) > max && PageSplitter.splittable(node)) {
      PageSplitter.Split split = PageSplitter.split(node, max);
      release(node);
      replace(parent, i, i, split);
      return;
    }
    boolean lonely = node instanceof PageNode.Inner in && in.children.size() < 2;
    if ((lonely || node.length(false) < policy.minFillBytes()) && parent.children.size() > 1) {
      int left = i + 1 < parent.children.size() ? i : i - 1;
      PageNode a = loader.child(parent, left, parent.lowerOf(left, lo), parent.upperOf(left, hi));
      PageNode b = loader.child(parent, left + 1, parent.lowerOf(left + 1, lo),
          parent.upperOf(left + 1, hi));
      PageNode joined = PageSplitter.join(a, b, parent.separators.get(left));
      release(a);
      release(b);
      if (joined.length(false) > max && PageSplitter.splittable(joined)) {
        replace(parent, left, left + 1, PageSplitter.split(joined, max));
      } else {
        replace(parent, left, left + 1, new PageSplitter.Split(List.of(joined), List.of()));
      }
    }
  }

  /** Replaces children {@code [from, to]} of {@code parent} by the pieces of a split. */
  private static void replace(PageNode.Inner parent, int from, int to, PageSplitter.Split s) {
    for (int k = to; k >= from; k--) {
      parent.children.remove(k);
    }
    for (int k = to - 1; k >= from; k--) {
      parent.separators.remove(k);
    }
    List<PageNode.Slot> slots = new ArrayList<>();
    for (PageNode p : s.pieces()) {
      slots.add(new PageNode.Slot(null, p));
    }
    parent.children.addAll(from, slots);
    parent.separators.addAll(from, s.keys());
  }

  /**
   * Pages a flat root that grew, collapses or splits the paged root, and goes flat again;
   * returns the root to keep.
   */
  PageNode fixRoot(PageNode root) throws IOException {
    while (true) {
      if (root instanceof PageNode.Leaf leaf) {
        if (leaf.length(true) > policy.flatMaxBytes() && PageSplitter.splittable(leaf)) {
          root = rootOver(1, PageSplitter.split(leaf, policy.maxPageBytes()));
          continue;
        }
        return root;
      }
      PageNode.Inner inner = (PageNode.Inner) root;
      if (inner.children.size() == 1) {
        PageNode only = loader.child(inner, 0, null, null);
        release(only);
        only.original = null;
        only.dirty = true;
        root = only;
        continue;
      }
      if (inner.length(true) > policy.maxPageBytes() && PageSplitter.splittable(inner)) {
        root = rootOver(inner.level + 1, PageSplitter.split(inner, policy.maxPageBytes()));
        continue;
      }
      if (inner.level == 1 && leafBytes(inner) <= policy.flatMinBytes()) {
        List<DirectoryEntry> all = new ArrayList<>();
        for (int i = 0; i < inner.children.size(); i++) {
          PageNode.Leaf leaf = (PageNode.Leaf) loader.child(inner, i, inner.lowerOf(i, null),
              inner.upperOf(i, null));
          all.addAll(leaf.entries);
          release(leaf);
        }
        PageNode.Leaf flat = new PageNode.Leaf(all);
        flat.dirty = true;
        root = flat;
        continue;
      }
      return root;
    }
  }

  private static PageNode.Inner rootOver(int level, PageSplitter.Split split) {
    List<PageNode.Slot> slots = new ArrayList<>();
    for (PageNode p : split.pieces()) {
      slots.add(new PageNode.Slot(null, p));
    }
    PageNode.Inner r = new PageNode.Inner(level, split.keys(), slots);
    r.dirty = true;
    return r;
  }

  /** Entry bytes under a root of leaves, from loaded nodes or page sizes (nothing fetched). */
  private static long leafBytes(PageNode.Inner inner) {
    long total = 0;
    for (PageNode.Slot s : inner.children) {
      total += s.node != null ? ((PageNode.Leaf) s.node).entryBytes()
          : s.ref.size() - PageCodec.leafHeaderLength();
    }
    return total;
  }

  private void release(PageNode node) {
    if (node.original != null) {
      released.add(node.original);
    }
  }
}
