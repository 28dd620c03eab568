package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * The namespace operations of {@link MountCore}: each takes the tree's write lock, checks POSIX
 * preconditions in the order the errno rules want, changes the tree, journals the entry changes
 * (the parent directories' new times included) in one write, or undoes the change when that
 * fails ({@link NamespaceChange}), and wakes the uploader. rename(2), with its own rules, is
 * {@link Rename}'s.
 */
final class Namespace {
  private static final int MAX_SYMLINK = 4095;
  private final MountCore core;
  private final WriteBack wb;
  private final Tree tree;
  private final Rename rename;

  Namespace(MountCore core, WriteBack wb, Tree tree) {
    this.core = core;
    this.wb = wb;
    this.tree = tree;
    this.rename = new Rename(this, core, tree);
  }

  /**
   * Runs a namespace change under the write lock, journaled in one write or undone
   * ({@link NamespaceChange}), and wakes the uploader after.
   */
  <T> T change(NamespaceChange.Body<T> body) throws FsException {
    try {
      return NamespaceChange.run(tree, wb, body);
    } finally {
      wb.uploader.kick(false);
    }
  }

  static void writable(DirNode d, String path) throws FsException {
    if (!d.writable) {
      throw new FsException(FsError.READ_ONLY, path + ": read-only directory");
    }
  }

  /** A directory's children changed: new mtime and ctime, journaled in its own parent. */
  static void touch(NamespaceChange c, DirNode d, Instant now) {
    c.keep(d);
    d.mtime = now;
    d.ctime = now;
    c.journalEntry(d.parent, d);
  }

  private static String last(List<String> names) throws FsException {
    if (names.isEmpty()) {
      throw new FsException(FsError.EXISTS, "the mount root");
    }
    return names.get(names.size() - 1);
  }

  /** The name a path makes (create, mkdir, symlink): see {@link Tree#newName}. */
  private static String made(List<String> names) throws FsException {
    last(names);
    return Tree.newName(names);
  }

  void mkdir(String path, int mode, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    String name = made(names);
    tree.prepare(names, false);
    change(c -> {
      DirNode parent = tree.parentOf(names);
      if (parent.children.containsKey(name)) {
        throw new FsException(FsError.EXISTS, path + " exists");
      }
      writable(parent, path);
      Instant now = core.now();
      boolean sgid = (parent.mode & 02000) != 0;
      DirNode d = new DirNode(tree.newIno(), new DirRef.Local(wb.newId()), true, false,
          (mode & 07777) | (sgid ? 02000 : 0), caller.uid(), sgid ? parent.gid : caller.gid(),
          now, now);
      d.children = new TreeMap<>();
      d.listedAtNanos = System.nanoTime();
      c.link(parent, name, d);
      c.journalEntry(parent, d);
      touch(c, parent, now);
      return null;
    });
  }

  void rmdir(String path) throws FsException {
    List<String> names = Tree.names(path);
    if (names.isEmpty()) {
      throw new FsException(FsError.BUSY, "cannot remove the mount root");
    }
    tree.prepare(names, true);
    change(c -> {
      DirNode parent = tree.parentOf(names);
      Node n = tree.resolve(names);
      if (!(n instanceof DirNode d)) {
        throw new FsException(FsError.NOT_DIRECTORY, path + " is not a directory");
      }
      writable(parent, path);
      if (Tree.listing(d, path).size() > 0) {
        throw new FsException(FsError.NOT_EMPTY, path + " is not empty");
      }
      c.keep(d);
      c.remove(parent.children, d.name);
      c.journalRemove(parent, d.name, false);
      d.parent = null;
      touch(c, parent, core.now());
      return null;
    });
  }

  /** The names libfuse's high-level API gives an open file it unlinks. */
  static boolean isHiddenName(String name) {
    return name.startsWith(".fuse_hidden");
  }

  void unlink(String path) throws FsException {
    List<String> names = Tree.names(path);
    String name = last(names);
    tree.prepare(names, false);
    FileNode orphan = change(c -> {
      DirNode parent = tree.parentOf(names);
      Node hiddenNode = c.remove(parent.hidden, name);
      if (hiddenNode != null) {
        return hiddenNode instanceof FileNode f ? f : null; // already unlinked
      }
      Node n = tree.resolve(names);
      if (n instanceof DirNode) {
        throw new FsException(FsError.IS_DIRECTORY, path + " is a directory");
      }
      writable(parent, path);
      c.keep(n);
      c.remove(parent.children, name);
      c.journalRemove(parent, name, false);
      n.parent = null;
      Instant now = core.now();
      n.ctime = now;
      touch(c, parent, now);
      return n instanceof FileNode f ? f : null;
    });
    forgetIfClosed(orphan);
  }

  void forgetIfClosed(FileNode f) {
    if (f == null) {
      return;
    }
    boolean closed;
    synchronized (f) {
      closed = f.openCount == 0;
    }
    if (closed) {
      wb.forget(f.data);
    }
  }

  void rename(String from, String to, int flags) throws FsException {
    rename.rename(from, to, flags);
  }

  void symlink(String target, String path, Caller caller) throws FsException {
    byte[] t = target.getBytes(StandardCharsets.UTF_8);
    if (t.length > MAX_SYMLINK) {
      throw new FsException(FsError.NAME_TOO_LONG, "symlink target longer than 4095 bytes");
    }
    if (t.length == 0) {
      throw new FsException(FsError.NOT_FOUND, "empty symlink target");
    }
    if (target.indexOf('\0') >= 0) {
      throw new FsException(FsError.INVALID, "symlink target contains NUL");
    }
    if (target.indexOf('\uFFFD') >= 0) {
      throw new FsException(FsError.INVALID, "symlink target is not valid UTF-8");
    }
    makeLeaf(path, (gid, now) -> new SymlinkNode(tree.newIno(), target, 0777, caller.uid(),
        gid, now, now), caller);
  }

  /** Makes a FIFO, socket or device node (the kernel has checked the right to make devices). */
  void mknod(String path, EntryKind kind, int mode, long rdev, Caller caller)
      throws FsException {
    if (!kind.isSpecial()) {
      throw new FsException(FsError.INVALID, kind + " is not made by mknod here");
    }
    if (rdev < 0 || rdev > 0xffff_ffffL) {
      throw new FsException(FsError.INVALID, "device number " + rdev + " out of range");
    }
    if (!wb.grid.keepsUserXattrs()) {
      // xattrs and kinds 3..6 came together (dirnode version 3): a grid without the one (a
      // node of an older Cairn behind a node channel) refuses the other on every retry
      throw new FsException(FsError.NOT_SUPPORTED, "this grid keeps no " + kind
          + " entries (it predates directory format version 3)");
    }
    makeLeaf(path, (gid, now) -> new SpecialNode(tree.newIno(), kind, rdev, mode & 07777,
        caller.uid(), gid, now, now), caller);
  }

  /** How a new leaf is made, given the group it gets and the time. */
  private interface LeafMaker {
    Node make(int gid, Instant now);
  }

  /** Links a new node without content (symlink, FIFO, socket, device) at a free name. */
  private void makeLeaf(String path, LeafMaker maker, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    String name = made(names);
    tree.prepare(names, false);
    change(c -> {
      DirNode parent = tree.parentOf(names);
      if (parent.children.containsKey(name)) {
        throw new FsException(FsError.EXISTS, path + " exists");
      }
      writable(parent, path);
      Instant now = core.now();
      Node n = maker.make((parent.mode & 02000) != 0 ? parent.gid : caller.gid(), now);
      c.link(parent, name, n);
      c.journalEntry(parent, n);
      touch(c, parent, now);
      return null;
    });
  }

  FileNode createFile(String path, int mode, int flags, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    String name = last(names);
    tree.prepare(names, false);
    return change(c -> {
      DirNode parent = tree.parentOf(names);
      Node existing = parent.children.get(name);
      if (existing != null) {
        if ((flags & MountCore.O_EXCL) != 0) {
          throw new FsException(FsError.EXISTS, path + " exists");
        }
        if (existing instanceof DirNode) {
          throw new FsException(FsError.IS_DIRECTORY, path + " is a directory");
        }
        if (!(existing instanceof FileNode f)) {
          throw new FsException(FsError.EXISTS, path + " is a symlink");
        }
        if ((flags & (MountCore.O_ACCMODE | MountCore.O_TRUNC)) != 0) {
          writable(parent, path);
        }
        // The kernel checked only the parent: its lookup found no file (a race with a create).
        int acc = flags & MountCore.O_ACCMODE;
        int want = (acc == MountCore.O_WRONLY ? 2 : acc == MountCore.O_RDWR ? 6 : 4)
            | ((flags & MountCore.O_TRUNC) != 0 ? 2 : 0);
        if (!NodeAttributes.permits(f, caller, want)) {
          throw new FsException(FsError.ACCESS_DENIED, path + ": permission denied");
        }
        if ((flags & MountCore.O_TRUNC) != 0) {
          try {
            f.data.truncate(0);
          } catch (GridException e) {
            throw FsException.of(e, "truncating");
          }
          NodeAttributes.dataChanged(c, f, caller.isRoot() ? null : caller, core.now());
        }
        opened(c, f);
        return f;
      }
      Tree.newName(names);
      writable(parent, path);
      Instant now = core.now();
      FileData data = wb.newFile(Optional.empty(), 0);
      c.onUndo(() -> wb.forget(data));
      boolean sgid = (parent.mode & 02000) != 0;
      FileNode f = new FileNode(tree.newIno(), data, mode & 07777, caller.uid(),
          sgid ? parent.gid : caller.gid(), now, now);
      c.link(parent, name, f);
      c.journalEntry(parent, f);
      touch(c, parent, now);
      opened(c, f);
      return f;
    });
  }

  /**
   * Counts an open of {@code f} while the tree lock that found it is held, so no listing or
   * last close can swap the node out between finding it and opening it.
   */
  static void opened(FileNode f) {
    synchronized (f) {
      f.openCount++;
    }
  }

  private static void opened(NamespaceChange c, FileNode f) {
    opened(f);
    c.onUndo(() -> {
      synchronized (f) {
        f.openCount--;
      }
    });
  }

  /** Resolves {@code path} under the write lock and runs a metadata change on it. */
  void meta(String path, boolean journal, MetaChange body) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    change(c -> {
      Node n = tree.resolve(names);
      if (!core.canChange(n)) {
        throw new FsException(FsError.READ_ONLY, path + ": read-only directory");
      }
      c.keep(n);
      body.apply(n);
      if (journal) {
        c.journalEntry(n.parent, n);
      }
      if (n == tree.root) {
        RootAttributes.store(wb.config.cacheDir(), tree.root, true); // no entry holds them
      }
      return null;
    });
  }

  interface MetaChange {
    void apply(Node n) throws FsException;
  }
}
