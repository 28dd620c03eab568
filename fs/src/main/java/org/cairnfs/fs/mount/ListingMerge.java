package org.cairnfs.fs.mount;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * Lays a grid listing of one directory over the nodes the tree holds for it and the
 * directory's pending changes: a node the listing shows unchanged keeps its identity (and inode
 * number), a name with a pending change keeps its local node, and a busy file keeps its name
 * with a note of what the grid has there ({@link Tree#afterLastClose} acts on the note). Call
 * under the tree's write lock.
 */
final class ListingMerge {
  private final WriteBack wb;
  private final EntryNodes nodes;

  ListingMerge(WriteBack wb, EntryNodes nodes) {
    this.wb = wb;
    this.nodes = nodes;
  }

  /**
   * Makes {@code remote} with {@code changes} on top the children of {@code d}; {@code epoch} is
   * the directory's publish epoch when the listing was asked for.
   */
  void install(DirNode d, List<RemoteEntry> remote, List<PendingState.Change> changes,
      long epoch) {
    TreeMap<String, Node> old = d.children == null ? new TreeMap<>() : d.children;
    TreeMap<String, Node> fresh = new TreeMap<>();
    Map<String, PendingState.Change> pending = new TreeMap<>();
    for (PendingState.Change c : changes) {
      pending.put(c.name(), c);
    }
    for (RemoteEntry e : remote) {
      String name;
      try {
        name = EntryName.of(e.name()).text();
      } catch (DirectoryFormatException bad) {
        continue;
      }
      if (pending.containsKey(name)) {
        continue;
      }
      Node existing = old.get(name);
      Node n;
      if (existing != null && sameIdentity(existing, e)) {
        n = nodes.refreshed(existing, e.metadata());
        if (n instanceof FileNode f) {
          f.behindGrid = false;
          f.gridEntry = null;
        }
      } else if (existing != null && busy(existing)) {
        // open, or local changes not yet journaled: the local node keeps the name until its
        // last close, which gives it to this entry unless the local version is to win
        n = existing;
        behind((FileNode) existing, d, e, epoch);
      } else {
        n = nodes.fromRemote(d, e);
      }
      n.parent = d;
      n.name = name;
      fresh.put(name, n);
    }
    for (PendingState.Change c : pending.values()) {
      if (d.children != null) {
        Node local = old.get(c.name());
        if (local != null) {
          fresh.put(c.name(), local);
        }
        continue;
      }
      if (c.record() instanceof SetEntry s) {
        Node n = nodes.fromPending(d, s);
        n.parent = d;
        n.name = s.name();
        fresh.put(s.name(), n);
      }
    }
    for (Map.Entry<String, Node> e : old.entrySet()) {
      if (!fresh.containsKey(e.getKey()) && !pending.containsKey(e.getKey())
          && busy(e.getValue())) {
        fresh.put(e.getKey(), e.getValue());
        behind((FileNode) e.getValue(), d, null, epoch); // removed on the grid
        continue;
      }
      if (fresh.get(e.getKey()) != e.getValue() && e.getValue().parent == d) {
        e.getValue().parent = null;
      }
    }
    d.children = fresh;
  }

  /**
   * Notes what the grid has under a busy file's name in {@code d} ({@code null}: nothing). The
   * place is kept with it: a rename here before the last close makes the note stale.
   */
  private static void behind(FileNode f, DirNode d, RemoteEntry e, long epoch) {
    f.gridEntry = e;
    f.gridEpoch = epoch;
    f.gridDir = d;
    f.gridName = f.name;
    f.behindGrid = true;
  }

  /** A file whose local state is ahead of any listing: changed since its commit, or open. */
  static boolean busy(Node n) {
    if (!(n instanceof FileNode f)) {
      return false;
    }
    boolean open;
    synchronized (f) {
      open = f.openCount > 0;
    }
    return open || f.data.hasLocalChanges();
  }

  private boolean sameIdentity(Node n, RemoteEntry e) {
    if (n.kind() != e.metadata().kind()) {
      return false;
    }
    if (n instanceof FileNode f) {
      return !f.data.hasLocalChanges() && f.data.base().equals(e.cap());
    } else if (n instanceof DirNode d) {
      return wb.canonical(d.ref) instanceof DirRef.Cap c && e.cap().isPresent()
          && c.cap().equals(e.cap().get());
    } else if (n instanceof SpecialNode sp) {
      return sp.rdev == e.metadata().rdev();
    }
    return ((SymlinkNode) n).target.equals(e.metadata().symlinkTarget().orElse(""));
  }
}
