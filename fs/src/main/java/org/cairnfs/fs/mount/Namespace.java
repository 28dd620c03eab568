package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;

/**
 * The namespace operations of {@link MountCore}: each takes the tree's write lock, checks POSIX
 * preconditions in the order the errno rules want, changes the tree, journals the entry changes
 * (the parent directories' new times included) in one write, or undoes the change when that
 * fails ({@link NamespaceChange}), and wakes the uploader.
 */
final class Namespace {
  private static final int MAX_SYMLINK = 4095;
  private final MountCore core;
  private final WriteBack wb;
  private final Tree tree;
  private final MountConfig config;

  Namespace(MountCore core, WriteBack wb, Tree tree, MountConfig config) {
    this.core = core;
    this.wb = wb;
    this.tree = tree;
    this.config = config;
  }

  /**
   * Runs a namespace change under the write lock, journaled in one write or undone
   * ({@link NamespaceChange}), and wakes the uploader after.
   */
  private <T> T change(NamespaceChange.Body<T> body) throws FsException {
    try {
      return NamespaceChange.run(tree, wb, body);
    } finally {
      wb.uploader.kick(false);
    }
  }

  private static void writable(DirNode d, String path) throws FsException {
    if (!d.writable) {
      throw new FsException(FsError.READ_ONLY, path + ": read-only directory");
    }
  }

  /** A directory's children changed: new mtime and ctime, journaled in its own parent. */
  private static void touch(NamespaceChange c, DirNode d, Instant now) {
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
      if (d.children != null && !d.children.isEmpty()) {
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

  private void forgetIfClosed(FileNode f) {
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
    if ((flags & ~(MountCore.RENAME_NOREPLACE | MountCore.RENAME_EXCHANGE)) != 0
        || flags == (MountCore.RENAME_NOREPLACE | MountCore.RENAME_EXCHANGE)) {
      throw new FsException(FsError.INVALID, "bad rename flags " + flags);
    }
    List<String> src = Tree.names(from);
    List<String> dst = Tree.names(to);
    if (src.isEmpty() || dst.isEmpty()) {
      throw new FsException(FsError.BUSY, "cannot rename the mount root");
    }
    Tree.newName(dst);
    tree.prepare(src, false);
    tree.prepare(dst, true);
    FileNode orphan = change(c -> {
      DirNode sp = tree.parentOf(src);
      Node n = tree.resolve(src);
      DirNode dp = tree.parentOf(dst);
      String srcName = src.get(src.size() - 1);
      String dstName = dst.get(dst.size() - 1);
      Node target = dp.children.get(dstName);
      if (target == n) {
        return null; // same entry: nothing to do
      }
      if (isHiddenName(dstName) && target == null && !(n instanceof DirNode)) {
        // libfuse hides an open file it is asked to unlink: unlink it, keep it by that name
        writable(sp, from);
        c.keep(n);
        c.remove(sp.children, srcName);
        c.journalRemove(sp, srcName, false);
        n.parent = null;
        Instant now = core.now();
        n.ctime = now;
        c.put(dp.hidden, dstName, n);
        touch(c, sp, now);
        return null;
      }
      if (n instanceof DirNode) {
        for (DirNode p = dp; p != null; p = p.parent) {
          if (p == n) {
            throw new FsException(FsError.INVALID, "cannot move " + from + " into itself");
          }
        }
      }
      writable(sp, from);
      writable(dp, to);
      boolean exchange = (flags & MountCore.RENAME_EXCHANGE) != 0;
      if (target != null && (flags & MountCore.RENAME_NOREPLACE) != 0) {
        throw new FsException(FsError.EXISTS, to + " exists");
      }
      if (exchange) {
        if (target == null) {
          throw new FsException(FsError.NOT_FOUND, to + " does not exist");
        }
        if (target instanceof DirNode) {
          for (DirNode p = sp; p != null; p = p.parent) {
            if (p == target) {
              throw new FsException(FsError.INVALID, "cannot move " + to + " into itself");
            }
          }
        }
      } else if (target != null) {
        if (n instanceof DirNode) {
          if (!(target instanceof DirNode td)) {
            throw new FsException(FsError.NOT_DIRECTORY, to + " is not a directory");
          }
          if (td.children != null && !td.children.isEmpty()) {
            throw new FsException(FsError.NOT_EMPTY, to + " is not empty");
          }
        } else if (target instanceof DirNode) {
          throw new FsException(FsError.IS_DIRECTORY, to + " is a directory");
        }
      }
      Instant now = core.now();
      c.keep(target);
      c.remove(sp.children, srcName);
      if (exchange) {
        c.remove(dp.children, dstName);
        c.link(sp, srcName, target);
        target.ctime = now;
      } else if (target != null) {
        target.parent = null;
        target.ctime = now;
      }
      c.link(dp, dstName, n);
      n.ctime = now;
      // the new name first: a crash between the records leaves the entry in both, never neither
      c.journalEntry(dp, n);
      if (exchange) {
        c.journalEntry(sp, target);
      } else {
        c.journalRemove(sp, srcName, sp != dp);
      }
      touch(c, dp, now);
      if (sp != dp) {
        touch(c, sp, now);
      }
      return !exchange && target instanceof FileNode f ? f : null;
    });
    forgetIfClosed(orphan);
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
        if (!permits(f, caller, want)) {
          throw new FsException(FsError.ACCESS_DENIED, path + ": permission denied");
        }
        if ((flags & MountCore.O_TRUNC) != 0) {
          try {
            f.data.truncate(0);
          } catch (GridException e) {
            throw FsException.of(e, "truncating");
          }
          dataChanged(c, f, caller.isRoot() ? null : caller, core.now());
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
  private void meta(String path, boolean journal, MetaChange body) throws FsException {
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
      return null;
    });
  }

  private interface MetaChange {
    void apply(Node n) throws FsException;
  }

  void chmod(String path, int mode) throws FsException {
    meta(path, true, n -> {
      n.mode = mode & 07777;
      n.ctime = core.now();
    });
  }

  /**
   * A file's data was just changed, or asked to change (a truncation, an allocation): as part
   * of {@code c}, sets its mtime and ctime and, for {@code dropSetIdsOf} (a caller without
   * CAP_FSETID), drops its set-id bits. That is journaled with the content at the close, or here
   * when no byte changed (the close would have nothing to journal it with).
   */
  static void dataChanged(NamespaceChange c, FileNode f, Caller dropSetIdsOf, Instant now) {
    c.keep(f);
    if (dropSetIdsOf != null) {
      dropSetIds(f, dropSetIdsOf);
    }
    f.mtime = now;
    f.ctime = now;
    if (!f.data.hasOpenChanges() && f.parent != null) {
      c.journalEntry(f.parent, f);
    }
  }

  /**
   * Drops setuid, and setgid when the group may execute or the caller is not of the file's group
   * (Linux 6.x; supplementary groups count), from a regular file: what a truncate by a caller
   * without CAP_FSETID does. Caller holds the tree's write lock.
   */
  private static void dropSetIds(FileNode f, Caller caller) {
    int mode = f.mode & ~04000;
    if ((mode & 02000) != 0 && ((mode & 010) != 0 || !caller.inGroup(f.gid))) {
      mode &= ~02000;
    }
    f.mode = mode;
  }

  void chown(String path, int uid, int gid, Caller caller) throws FsException {
    // journaled: the owner is the mount's, but the ctime and a cleared setuid bit are kept
    meta(path, true, n -> {
      boolean changeUid = uid != -1 && uid != n.uid;
      boolean changeGid = gid != -1 && gid != n.gid;
      if (!caller.isRoot()) {
        if (changeUid || ((uid != -1 || gid != -1) && caller.uid() != n.uid)) {
          throw new FsException(FsError.NOT_PERMITTED, "only root may give a file away");
        }
      }
      if (uid != -1) {
        n.uid = uid;
      }
      if (gid != -1) {
        n.gid = gid;
      }
      if ((changeUid || changeGid) && !(n instanceof DirNode)) {
        n.mode &= ~04000;
        if ((n.mode & 010) != 0) {
          n.mode &= ~02000;
        }
      }
      n.ctime = core.now();
    });
  }

  void utimens(String path, TimeSpec atime, TimeSpec mtime) throws FsException {
    boolean mtimeChanges = !(mtime instanceof TimeSpec.Omit);
    // journaled unless both are omitted: the ctime changes (and is kept) even when only the
    // atime (not kept) does
    meta(path, mtimeChanges || !(atime instanceof TimeSpec.Omit), n -> {
      Instant now = core.now();
      if (atime instanceof TimeSpec.At a) {
        n.atime = a.time();
      } else if (atime instanceof TimeSpec.Now) {
        n.atime = now;
      }
      if (mtime instanceof TimeSpec.At m) {
        n.mtime = m.time();
      } else if (mtime instanceof TimeSpec.Now) {
        n.mtime = now;
      }
      if (!(atime instanceof TimeSpec.Omit) || mtimeChanges) {
        n.ctime = now;
      }
    });
  }

  void access(String path, int mask, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      if ((mask & 2) != 0) {
        DirNode container = n instanceof DirNode d ? d : n.parent;
        if (container != null && !container.writable) {
          throw new FsException(FsError.READ_ONLY, path + ": read-only");
        }
      }
      if (caller.isRoot()) {
        if ((mask & 1) != 0 && !(n instanceof DirNode) && (n.mode & 0111) == 0) {
          throw new FsException(FsError.ACCESS_DENIED, path + ": no execute bit");
        }
        return;
      }
      if (!permits(n, caller, mask)) {
        throw new FsException(FsError.ACCESS_DENIED, path + ": permission denied");
      }
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  /** Whether {@code n}'s owner, group or other bits grant a non-root caller {@code mask} (rwx). */
  private static boolean permits(Node n, Caller caller, int mask) {
    if (caller.isRoot()) {
      return true;
    }
    int bits = caller.uid() == n.uid ? (n.mode >> 6) & 7
        : caller.inGroup(n.gid) ? (n.mode >> 3) & 7 : n.mode & 7;
    return (mask & 7 & ~bits) == 0;
  }

  // ---- xattrs

  private static boolean isCapName(String name) {
    return name.equals(MountCore.READCAP) || name.equals(MountCore.WRITECAP)
        || name.equals(MountCore.VERIFYCAP);
  }

  byte[] getxattr(String path, String name) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    if (isCapName(name)) {
      return capXattr(names, name).getBytes(StandardCharsets.US_ASCII);
    }
    tree.lock.readLock().lock();
    try {
      byte[] v = tree.resolve(names).xattrs.get(name);
      if (v == null) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set on " + path);
      }
      return v.clone();
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  /**
   * A cap xattr; waits for the node to reach the grid first when it has none yet. A directory's
   * cap also waits for the changes made in its subtree so far, so that whoever is given it sees
   * what is here now; if the grid cannot take them, the cap comes anyway (it is the directory's
   * for good) and the uploader goes on retrying.
   */
  private String capXattr(List<String> names, String attr) throws FsException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<String> cap;
      boolean writableHere;
      long changed = 0;
      tree.lock.readLock().lock();
      try {
        Node n = tree.resolve(names);
        writableHere = n instanceof DirNode d ? d.writable : n.parent != null && n.parent.writable;
        if (n instanceof SymlinkNode || n instanceof SpecialNode) {
          throw new FsException(FsError.NO_ATTRIBUTE, "a " + n.kind() + " has no cap");
        } else if (n instanceof DirNode d) {
          DirRef r = wb.canonical(d.ref);
          cap = r instanceof DirRef.Cap c ? Optional.of(c.cap()) : Optional.empty();
          changed = Math.max(d.changedSeq.get(), wb.replayedSeq);
        } else {
          // the last closed version: changes a handle has not closed yet are not part of it
          FileNode f = (FileNode) n;
          cap = f.data.lastSealedGen() == 0 ? f.data.base() : Optional.empty();
        }
      } finally {
        tree.lock.readLock().unlock();
      }
      if (cap.isPresent()) {
        if (changed > 0) {
          try {
            wb.uploader.awaitPublished(changed, Long.MAX_VALUE / 4);
          } catch (FsException e) {
            // logged and retried by the uploader; shown by cairn status
          }
        }
        return diminish(cap.get(), attr, writableHere);
      }
      wb.uploader.awaitPublished(wb.lastSeq(), Long.MAX_VALUE / 4);
    }
    throw new FsException(FsError.IO, "the node has no cap on the grid yet");
  }

  private static String diminish(String capText, String attr, boolean writableHere)
      throws FsException {
    Cap cap;
    try {
      cap = Cap.parse(capText);
    } catch (RuntimeException e) {
      throw new FsException(FsError.IO, "stored cap does not parse: " + e.getMessage());
    }
    try {
      switch (attr) {
        case MountCore.READCAP:
          return cap.readOnly().toString();
        case MountCore.WRITECAP:
          if (!cap.isWritable() || !writableHere) {
            throw new FsException(FsError.NO_ATTRIBUTE, "no write cap here");
          }
          return cap.toString();
        default:
          return cap.verifyCap().orElseThrow(() -> new FsException(FsError.NO_ATTRIBUTE,
              "a literal has no verify cap")).toString();
      }
    } catch (RuntimeException e) {
      throw new FsException(FsError.NO_ATTRIBUTE, "cap of unknown kind: " + e.getMessage());
    }
  }

  List<String> listxattr(String path) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      List<String> out = new ArrayList<>();
      if (n instanceof FileNode || n instanceof DirNode) {
        out.add(MountCore.READCAP);
        boolean w = n instanceof DirNode d ? d.writable : false;
        if (w) {
          out.add(MountCore.WRITECAP);
        }
        out.add(MountCore.VERIFYCAP);
      }
      for (String name : n.xattrs.keySet()) {
        if (!isCapName(name)) { // another writer's entry cannot list a cap name twice
          out.add(name);
        }
      }
      return out;
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  private void checkUserXattr(String name) throws FsException {
    if (isCapName(name)) {
      throw new FsException(FsError.NOT_PERMITTED, name + " is read-only");
    }
    if (!name.startsWith("user.")) {
      throw new FsException(FsError.NOT_SUPPORTED, "only user.* attributes are kept");
    }
    if (!wb.grid.keepsUserXattrs()) {
      throw new FsException(FsError.NOT_SUPPORTED, "this grid does not keep user xattrs");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 255 || name.length() <= 5) {
      throw new FsException(FsError.RANGE, "bad attribute name length");
    }
    if (name.indexOf('\uFFFD') >= 0) {
      throw new FsException(FsError.INVALID, "attribute name is not valid UTF-8");
    }
  }

  void setxattr(String path, String name, byte[] value, int flags) throws FsException {
    checkUserXattr(name);
    if (value.length > MountCore.MAX_XATTR_VALUE) {
      throw new FsException(FsError.RANGE, "attribute value over 64 KiB");
    }
    meta(path, true, n -> {
      if (n instanceof SymlinkNode || n instanceof SpecialNode) {
        throw new FsException(FsError.NOT_PERMITTED, "user xattrs on a " + n.kind()
            + " are refused");
      }
      if (n instanceof DirNode d && d.isRoot) {
        // xattrs live in the parent's entry; the root has none, so they would not be journaled
        // (an unlinked open file has no parent either, and keeps them until its last close)
        throw new FsException(FsError.NOT_SUPPORTED, "the mount's root keeps no user xattrs");
      }
      boolean exists = n.xattrs.containsKey(name);
      if ((flags & MountCore.XATTR_CREATE) != 0 && exists) {
        throw new FsException(FsError.EXISTS, name + " exists");
      }
      if ((flags & MountCore.XATTR_REPLACE) != 0 && !exists) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set");
      }
      // counted as the directory entry will count them (a replacement counts once)
      TreeMap<String, byte[]> after = new TreeMap<>(n.xattrs);
      after.put(name, value);
      if (after.size() > MountCore.MAX_XATTRS) {
        throw new FsException(FsError.NO_SPACE, "a node keeps at most " + MountCore.MAX_XATTRS
            + " user xattrs");
      }
      if (EntryMetadata.xattrBytes(after) > MountCore.MAX_XATTR_TOTAL) {
        throw new FsException(FsError.NO_SPACE, "a node's user xattrs are limited to "
            + MountCore.MAX_XATTR_TOTAL / 1024 + " KiB in all");
      }
      n.xattrs.put(name, value.clone());
      n.ctime = core.now();
    });
  }

  void removexattr(String path, String name) throws FsException {
    checkUserXattr(name);
    meta(path, true, n -> {
      if (n.xattrs.remove(name) == null) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set");
      }
      n.ctime = core.now();
    });
  }
}
