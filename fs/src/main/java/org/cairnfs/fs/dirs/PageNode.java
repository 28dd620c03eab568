package org.cairnfs.fs.dirs;

import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * A page of the tree held in memory while a version is read or changed: a leaf (entries) or an
 * inner node (separators and child slots). The root is a node too, kept in the mutable file
 * instead of a page.
 */
abstract sealed class PageNode permits PageNode.Leaf, PageNode.Inner {
  /** The stored page this node was read from; null when made in memory, inline, or the root. */
  PageRef.Stored original;
  /** Changed since it was read: its page (and every page above it) must be written anew. */
  boolean dirty;

  abstract int level();

  /** Bytes of this node's encoding as a page, or as the root when {@code asRoot}. */
  abstract long length(boolean asRoot);

  /** Entries, sorted, unique. */
  static final class Leaf extends PageNode {
    final ArrayList<DirectoryEntry> entries;
    /** Bytes of every entry in the version-3 layout, and of the others in version 1's. */
    private long v3Bytes;
    private long v1Bytes;
    /** Entries that need version 3: when there is one, the whole leaf takes its layout. */
    private int needV3;

    Leaf(List<DirectoryEntry> entries) {
      this.entries = new ArrayList<>(entries);
      for (DirectoryEntry e : entries) {
        count(e, 1);
      }
    }

    private void count(DirectoryEntry e, int sign) {
      v3Bytes += sign * PageCodec.entryLength(e, true);
      if (e.metadata().needsVersion3()) {
        needV3 += sign;
      } else {
        v1Bytes += sign * PageCodec.entryLength(e, false);
      }
    }

    /** Whether the leaf encodes in version 3 (an entry needs it). */
    boolean version3() {
      return needV3 > 0;
    }

    @Override
    int level() {
      return 0;
    }

    @Override
    long length(boolean asRoot) {
      return (asRoot ? 9 : PageCodec.leafHeaderLength()) + entryBytes();
    }

    /** Bytes of the entries as this leaf encodes them. */
    long entryBytes() {
      return needV3 > 0 ? v3Bytes : v1Bytes;
    }

    /** Binary search: the index of {@code name}, or -(insertion point) - 1. */
    int find(EntryName name) {
      int lo = 0;
      int hi = entries.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = entries.get(mid).name().compareTo(name);
        if (c == 0) {
          return mid;
        } else if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return -lo - 1;
    }

    void set(int index, DirectoryEntry e) {
      count(entries.get(index), -1);
      count(e, 1);
      entries.set(index, e);
    }

    void insert(int index, DirectoryEntry e) {
      count(e, 1);
      entries.add(index, e);
    }

    DirectoryEntry removeAt(int index) {
      DirectoryEntry e = entries.remove(index);
      count(e, -1);
      return e;
    }
  }

  /** Children one level down, split by separators: child i holds sep(i-1) <= name < sep(i). */
  static final class Inner extends PageNode {
    final int level;
    final ArrayList<PageKey> separators;
    final ArrayList<Slot> children;

    Inner(int level, List<PageKey> separators, List<Slot> children) {
      this.level = level;
      this.separators = new ArrayList<>(separators);
      this.children = new ArrayList<>(children);
    }

    @Override
    int level() {
      return level;
    }

    @Override
    long length(boolean asRoot) {
      long n = asRoot ? PageCodec.rootHeaderLength() : PageCodec.innerHeaderLength();
      for (PageKey k : separators) {
        n += PageCodec.separatorLength(k);
      }
      for (Slot s : children) {
        n += s.refLength();
      }
      return n;
    }

    /** The child whose range holds {@code name}: the number of separators at or below it. */
    int route(EntryName name) {
      int lo = 0;
      int hi = separators.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (separators.get(mid).compareTo(name) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /** Lower bound of child i's range (inclusive), or {@code lo} of this node for child 0. */
    PageKey lowerOf(int i, PageKey lo) {
      return i == 0 ? lo : separators.get(i - 1);
    }

    /** Upper bound of child i's range (exclusive), or {@code hi} of this node for the last. */
    PageKey upperOf(int i, PageKey hi) {
      return i == separators.size() ? hi : separators.get(i);
    }
  }

  /** A child of an inner node: its ref as last read or written, and the node once loaded. */
  static final class Slot {
    PageRef ref;
    PageNode node;

    Slot(PageRef ref, PageNode node) {
      this.ref = ref;
      this.node = node;
    }

    /** Bytes the ref takes in the parent; a changed child is counted as a stored page. */
    int refLength() {
      return ref == null || (node != null && node.dirty) ? PageCodec.refLength(null)
          : PageCodec.refLength(ref);
    }
  }
}
