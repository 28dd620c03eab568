package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.List;

/**
 * The attribute operations of {@link MountCore} (chmod, chown, utimens, access), and what a data
 * change does to a file's times and set-id bits. Changes run through {@link Namespace#meta}, so
 * they are journaled and undone like every namespace change.
 */
final class NodeAttributes {
  private final MountCore core;
  private final Namespace ns;
  private final Tree tree;

  NodeAttributes(MountCore core, Namespace ns, Tree tree) {
    this.core = core;
    this.ns = ns;
    this.tree = tree;
  }

  void chmod(String path, int mode) throws FsException {
    ns.meta(path, true, n -> {
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
    // journaled, and kept on the grid from now on (NodeOwner), with the ctime and set-id bits
    ns.meta(path, true, n -> {
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
      if (changeUid || changeGid) {
        n.ownerKept = true; // cp -p as the mounting user chowns to the same ids: nothing kept
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
    ns.meta(path, mtimeChanges || !(atime instanceof TimeSpec.Omit), n -> {
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
  static boolean permits(Node n, Caller caller, int mask) {
    if (caller.isRoot()) {
      return true;
    }
    int bits = caller.uid() == n.uid ? (n.mode >> 6) & 7
        : caller.inGroup(n.gid) ? (n.mode >> 3) & 7 : n.mode & 7;
    return (mask & 7 & ~bits) == 0;
  }
}
