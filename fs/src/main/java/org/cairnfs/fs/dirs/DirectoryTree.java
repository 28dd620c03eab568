package org.cairnfs.fs.dirs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cairnfs.caps.dirnode.DirectoryContents;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.FlatRoot;
import org.cairnfs.caps.dirnode.InnerPage;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageKey;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;

/**
 * One version of a directory, read and changed in memory: a flat entry list, or a B+-tree of
 * pages keyed by entry name under a root kept in the directory's mutable file
 * (docs/specs/dirnode.md). Lookups fetch the pages on one path; changes load the pages on their
 * paths, split and merge in memory, and {@link #commit()} writes each changed page once, so a
 * batch of changes to one leaf costs one page. A flat directory pages when it outgrows
 * {@link PagingPolicy#flatMaxBytes()} and goes flat again when it shrinks enough.
 *
 * <p>Every page read is checked against where the tree says it sits (its level, and the name
 * range its parent gives it), so a malformed tree from a buggy or hostile writer is a {@link
 * DirectoryFormatException}, never a wrong answer or an endless walk. Not thread-safe.
 */
public final class DirectoryTree {
  /** Receives entries in name order; returns false to stop. */
  @FunctionalInterface
  public interface EntryVisitor {
    boolean visit(DirectoryEntry entry) throws IOException;
  }

  /** Receives every stored page of the version (inner pages are read to find their children). */
  @FunctionalInterface
  public interface PageVisitor {
    void visit(PageRef.Stored page, int level) throws IOException;
  }

  private final PageStore store;
  private final PageLoader loader;
  private final TreeBalancer balancer;
  private final byte[] openedRoot;
  private PageNode root;
  private long entryCount;
  private final Set<PageRef.Stored> released = new LinkedHashSet<>();

  private DirectoryTree(PageStore store, PagingPolicy policy, byte[] openedRoot, PageNode root,
      long entryCount) {
    this.store = store;
    this.loader = new PageLoader(store);
    this.balancer = new TreeBalancer(policy, loader, released);
    this.openedRoot = openedRoot;
    this.root = root;
    this.entryCount = entryCount;
  }

  /**
   * Opens the version whose mutable-file plaintext is {@code root} (version 1 or 2).
   *
   * @throws DirectoryFormatException if the root does not parse
   */
  public static DirectoryTree open(byte[] root, PageStore store, PagingPolicy policy) {
    DirectoryRoot parsed = DirectoryRoot.decode(root);
    if (parsed instanceof FlatRoot flat) {
      return new DirectoryTree(store, policy, root.clone(),
          new PageNode.Leaf(flat.contents().entries()), flat.contents().size());
    }
    PagedRoot paged = (PagedRoot) parsed;
    return new DirectoryTree(store, policy, root.clone(),
        PageLoader.inner(paged.height(), paged.separators(), paged.children()),
        paged.entryCount());
  }

  /** A new, empty directory. */
  public static DirectoryTree empty(PageStore store, PagingPolicy policy) {
    return new DirectoryTree(store, policy, null, new PageNode.Leaf(List.of()), 0);
  }

  /** Entries in the directory (as kept in the root of a paged directory). */
  public long size() {
    return entryCount;
  }

  /** Page levels under the root: 0 for a flat directory. */
  public int height() {
    return root.level();
  }

  public boolean isPaged() {
    return root instanceof PageNode.Inner;
  }

  // ---- reading ----

  /** The entry named {@code name}; fetches at most one page per level. */
  public Optional<DirectoryEntry> get(EntryName name) throws IOException {
    PageNode.Leaf leaf = descend(name, null);
    int i = leaf.find(name);
    return i >= 0 ? Optional.of(leaf.entries.get(i)) : Optional.empty();
  }

  /** Visits every entry in name order, holding one page per level. */
  public void list(EntryVisitor visitor) throws IOException {
    walk(root, null, null, null, visitor);
  }

  /** Visits the entries after {@code after} in name order (a listing resumed from a cookie). */
  public void listAfter(EntryName after, EntryVisitor visitor) throws IOException {
    walk(root, null, null, after, visitor);
  }

  private boolean walk(PageNode node, PageKey lo, PageKey hi, EntryName after,
      EntryVisitor visitor) throws IOException {
    if (node instanceof PageNode.Leaf leaf) {
      int from = after == null ? 0 : leaf.find(after);
      from = from >= 0 ? (after == null ? 0 : from + 1) : -from - 1;
      for (int i = from; i < leaf.entries.size(); i++) {
        if (!visitor.visit(leaf.entries.get(i))) {
          return false;
        }
      }
      return true;
    }
    PageNode.Inner inner = (PageNode.Inner) node;
    int start = after == null ? 0 : inner.route(after);
    List<PageRef.Stored> ahead = new ArrayList<>();
    for (int i = start; i < inner.children.size(); i++) {
      PageNode.Slot s = inner.children.get(i);
      if (s.node == null && s.ref instanceof PageRef.Stored st) {
        ahead.add(st);
      }
    }
    if (!ahead.isEmpty()) {
      store.prefetch(ahead);
    }
    for (int i = start; i < inner.children.size(); i++) {
      PageNode.Slot s = inner.children.get(i);
      PageKey clo = inner.lowerOf(i, lo);
      PageKey chi = inner.upperOf(i, hi);
      PageNode child = s.node != null ? s.node : loader.load(s.ref, inner.level - 1, clo, chi);
      if (!walk(child, clo, chi, after, visitor)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Visits every stored page of this version (for check, repair and lease renewal), reading
   * only inner pages; pages changed in memory and not yet committed are skipped.
   */
  public void forEachPage(PageVisitor visitor) throws IOException {
    if (root instanceof PageNode.Inner inner) {
      pages(inner, null, null, visitor);
    }
  }

  private void pages(PageNode.Inner inner, PageKey lo, PageKey hi, PageVisitor visitor)
      throws IOException {
    for (int i = 0; i < inner.children.size(); i++) {
      PageNode.Slot s = inner.children.get(i);
      if (s.node != null && s.node.dirty) {
        continue;
      }
      if (s.ref instanceof PageRef.Stored st) {
        visitor.visit(st, inner.level - 1);
      }
      if (inner.level > 1) {
        PageKey clo = inner.lowerOf(i, lo);
        PageKey chi = inner.upperOf(i, hi);
        PageNode child = s.node != null ? s.node
            : loader.load(s.ref, inner.level - 1, clo, chi);
        pages((PageNode.Inner) child, clo, chi, visitor);
      }
    }
  }

  // ---- changing ----

  /**
   * Adds {@code entry} or replaces the entry of that name.
   *
   * @return whether an entry was replaced
   */
  public boolean put(DirectoryEntry entry) throws IOException {
    List<Step> path = new ArrayList<>();
    PageNode.Leaf leaf = descend(entry.name(), path);
    int i = leaf.find(entry.name());
    if (i >= 0) {
      if (leaf.entries.get(i).equals(entry)) {
        return true;
      }
      leaf.set(i, entry);
    } else {
      if (entryCount >= 0xffffffffL) {
        throw new DirectoryFormatException("a directory holds at most 2^32-1 entries");
      }
      leaf.insert(-i - 1, entry);
      entryCount++;
    }
    changed(path, leaf);
    return i >= 0;
  }

  /** Removes the entry named {@code name}, returning it, or empty if there was none. */
  public Optional<DirectoryEntry> remove(EntryName name) throws IOException {
    List<Step> path = new ArrayList<>();
    PageNode.Leaf leaf = descend(name, path);
    int i = leaf.find(name);
    if (i < 0) {
      return Optional.empty();
    }
    DirectoryEntry removed = leaf.removeAt(i);
    entryCount--;
    changed(path, leaf);
    return Optional.of(removed);
  }

  /** An inner node on a path, the child taken, and the node's own name range. */
  private record Step(PageNode.Inner node, int index, PageKey lo, PageKey hi) {}

  private PageNode.Leaf descend(EntryName name, List<Step> path) throws IOException {
    PageNode node = root;
    PageKey lo = null;
    PageKey hi = null;
    while (node instanceof PageNode.Inner inner) {
      int i = inner.route(name);
      if (path != null) {
        path.add(new Step(inner, i, lo, hi));
      }
      PageKey clo = inner.lowerOf(i, lo);
      PageKey chi = inner.upperOf(i, hi);
      node = loader.child(inner, i, clo, chi);
      lo = clo;
      hi = chi;
    }
    return (PageNode.Leaf) node;
  }

  /** Marks the path changed and restores the page size rules bottom-up. */
  private void changed(List<Step> path, PageNode.Leaf leaf) throws IOException {
    leaf.dirty = true;
    for (Step s : path) {
      s.node.dirty = true;
    }
    for (int d = path.size() - 1; d >= 0; d--) {
      Step s = path.get(d);
      balancer.fixChild(s.node, s.index, s.lo, s.hi);
    }
    root = balancer.fixRoot(root);
  }

  private void release(PageNode node) {
    if (node.original != null) {
      released.add(node.original);
    }
  }

  // ---- writing ----

  /**
   * Writes every changed page (children first) and returns the new root plaintext. The tree
   * stays open on the new version.
   */
  public TreeCommit commit() throws IOException {
    List<PageRef.Stored> written = new ArrayList<>();
    byte[] bytes;
    if (root instanceof PageNode.Leaf leaf) {
      DirectoryContents.Builder b = DirectoryContents.builder();
      leaf.entries.forEach(b::put);
      bytes = new FlatRoot(b.build()).encode();
    } else {
      PageNode.Inner inner = (PageNode.Inner) root;
      List<PageRef> refs = flushChildren(inner, written);
      bytes = new PagedRoot(inner.level, entryCount, inner.separators, refs).encode();
    }
    root.dirty = false;
    List<PageRef.Stored> gone = new ArrayList<>(released);
    gone.removeAll(written);
    released.clear();
    boolean changed = openedRoot == null || !Arrays.equals(openedRoot, bytes);
    return new TreeCommit(bytes, changed, written, gone, root.level(), entryCount);
  }

  private List<PageRef> flushChildren(PageNode.Inner inner, List<PageRef.Stored> written)
      throws IOException {
    List<PageRef> refs = new ArrayList<>(inner.children.size());
    for (PageNode.Slot s : inner.children) {
      if (s.node != null && s.node.dirty) {
        s.ref = flush(s.node, written);
      }
      refs.add(s.ref);
    }
    return refs;
  }

  private PageRef flush(PageNode node, List<PageRef.Stored> written) throws IOException {
    byte[] page;
    if (node instanceof PageNode.Leaf leaf) {
      page = PageCodec.encodeLeaf(leaf.entries);
    } else {
      PageNode.Inner inner = (PageNode.Inner) node;
      List<PageRef> refs = flushChildren(inner, written);
      page = PageCodec.encodeInner(new InnerPage(inner.level, inner.separators, refs));
    }
    release(node);
    PageRef ref = store.put(page);
    if (ref.size() != page.length) {
      throw new IOException("page store returned a ref for " + ref.size() + " bytes, not "
          + page.length);
    }
    node.original = ref instanceof PageRef.Stored s ? s : null;
    if (node.original != null) {
      written.add(node.original);
    }
    node.dirty = false;
    return ref;
  }

  @Override
  public String toString() {
    return "DirectoryTree[" + entryCount + " entries, height " + height() + "]";
  }
}
