package org.cairnfs.fs.mount;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;

/**
 * One namespace change in progress: the journal records it makes and how to undo what it did
 * to the tree. An operation changes the tree first (its records carry the nodes' new metadata)
 * and is journaled at its end in one write, all records or none ({@link WriteBack#recordAll}).
 * When that fails (a full or failing cache disk), or the operation fails after it began to
 * change the tree, the tree goes back to what it was: an operation that reports an error has not
 * happened, here, for the uploader (which publishes from the journal's pending state only) or
 * after a remount. Why undo and not journal first: the records are the changed nodes' metadata,
 * which the operation computes by changing them. Used under the tree's write lock.
 */
final class NamespaceChange {
  interface Body<T> {
    T run(NamespaceChange c) throws FsException, IOException;
  }

  private final WriteBack wb;
  private final List<JournalRecord> records = new ArrayList<>();
  /** The data of the files whose entries {@link #records} set: tracked again when journaled. */
  private final List<FileData> named = new ArrayList<>();
  /** The directories whose entries {@link #records} change. */
  private final List<DirNode> dirs = new ArrayList<>();
  private final Deque<Runnable> undo = new ArrayDeque<>();
  private final Map<Node, Kept> kept = new IdentityHashMap<>();
  /** Per children map this change touched, each name it touched: whether it was free then. */
  private final Map<Map<String, Node>, Map<String, Boolean>> freeBefore = new IdentityHashMap<>();

  private NamespaceChange(WriteBack wb) {
    this.wb = wb;
  }

  /** Runs {@code body} under the tree's write lock and journals what it recorded, or undoes it. */
  static <T> T run(Tree tree, WriteBack wb, Body<T> body) throws FsException {
    tree.lock.writeLock().lock();
    NamespaceChange c = new NamespaceChange(wb);
    try {
      T result = body.run(c);
      c.journal();
      tree.listed.changed(c.dirs);
      return result;
    } catch (IOException e) {
      c.rollback();
      throw new FsException(FsError.IO, "journaling: " + e.getMessage(), e);
    } catch (FsException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      tree.lock.writeLock().unlock();
    }
  }

  /**
   * Records that {@code parent}'s entry of {@code child}'s name is now {@code child}, as it is;
   * fresh when this change found the name free (published as a create: see SetEntry).
   */
  void journalEntry(DirNode parent, Node child) {
    if (parent != null) {
      boolean fresh = freeBefore.getOrDefault(parent.children, Map.of())
          .getOrDefault(child.name, false);
      records.add(wb.entryRecord(parent.ref, child.name, child).withFresh(fresh));
      dirs.add(parent);
      if (child instanceof FileNode f) {
        named.add(f.data);
      }
    }
  }

  void journalRemove(DirNode parent, String name, boolean moved) {
    records.add(new RemoveEntry(parent.ref, name, moved));
    dirs.add(parent);
  }

  /** Keeps {@code n}'s fields as they are now, before the change touches any of them. */
  void keep(Node n) {
    if (n != null) {
      kept.computeIfAbsent(n, Kept::new);
    }
  }

  /** {@code map.put(name, n)}, undone by putting back what was there. */
  void put(Map<String, Node> map, String name, Node n) {
    Node old = map.put(name, n);
    touched(map, name, old);
    undo.push(() -> restore(map, name, old));
  }

  /** {@code map.remove(name)}, undone likewise. */
  Node remove(Map<String, Node> map, String name) {
    Node old = map.remove(name);
    touched(map, name, old);
    undo.push(() -> restore(map, name, old));
    return old;
  }

  private void touched(Map<String, Node> map, String name, Node old) {
    freeBefore.computeIfAbsent(map, k -> new HashMap<>()).putIfAbsent(name, old == null);
  }

  /** Makes {@code n} the child {@code name} of {@code dir} (its fields kept first). */
  void link(DirNode dir, String name, Node n) {
    keep(n);
    n.parent = dir;
    n.name = name;
    put(dir.children, name, n);
  }

  /** Something else to undo, e.g. an open counted. */
  void onUndo(Runnable r) {
    undo.push(r);
  }

  private static void restore(Map<String, Node> map, String name, Node old) {
    if (old == null) {
      map.remove(name);
    } else {
      map.put(name, old);
    }
  }

  private void journal() throws IOException {
    for (Kept k : kept.values()) {
      k.changed();
    }
    if (!records.isEmpty()) {
      long seq = wb.recordAll(records, named);
      for (DirNode d : dirs) {
        DirNode.changed(d, seq);
      }
    }
  }

  private void rollback() {
    while (!undo.isEmpty()) {
      undo.pop().run();
    }
    for (Kept k : kept.values()) {
      k.restore();
    }
  }

  /** A node's fields before the change; its times as the change left them. */
  private static final class Kept {
    final Node n;
    final DirNode parent;
    final String name;
    final int mode;
    final int uid;
    final int gid;
    final Instant atime;
    final Instant mtime;
    final Instant ctime;
    final TreeMap<String, byte[]> xattrs;
    final boolean ownerKept;
    Instant[] after;

    Kept(Node n) {
      this.n = n;
      parent = n.parent;
      name = n.name;
      mode = n.mode;
      uid = n.uid;
      gid = n.gid;
      atime = n.atime;
      mtime = n.mtime;
      ctime = n.ctime;
      xattrs = new TreeMap<>(n.xattrs);
      ownerKept = n.ownerKept;
    }

    void changed() {
      after = new Instant[] {n.atime, n.mtime, n.ctime};
    }

    /**
     * The times only where the change set them last: the data path (a write, a read's atime)
     * sets them with no tree lock, and its newer time stays.
     */
    void restore() {
      n.parent = parent;
      n.name = name;
      n.mode = mode;
      n.uid = uid;
      n.gid = gid;
      n.xattrs = Node.xattrsOf(xattrs);
      n.ownerKept = ownerKept;
      if (after == null || n.atime == after[0]) {
        n.atime = atime;
      }
      if (after == null || n.mtime == after[1]) {
        n.mtime = mtime;
      }
      if (after == null || n.ctime == after[2]) {
        n.ctime = ctime;
      }
    }
  }
}
