package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.List;

/**
 * rename(2) for {@link Namespace}: its flags (NOREPLACE, EXCHANGE), the checks in the order the
 * errno rules want, a move over a target or an exchange, and libfuse's rename of an open file
 * to a hidden name, which unlinks it. One namespace change, journaled or undone.
 */
final class Rename {
  private final Namespace ns;
  private final MountCore core;
  private final Tree tree;

  Rename(Namespace ns, MountCore core, Tree tree) {
    this.ns = ns;
    this.core = core;
    this.tree = tree;
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
    FileNode orphan = ns.change(c -> {
      DirNode sp = tree.parentOf(src);
      Node n = tree.resolve(src);
      DirNode dp = tree.parentOf(dst);
      String srcName = src.get(src.size() - 1);
      String dstName = dst.get(dst.size() - 1);
      Node target = dp.children.get(dstName);
      if (target == n) {
        return null; // same entry: nothing to do
      }
      if (Namespace.isHiddenName(dstName) && target == null && !(n instanceof DirNode)) {
        // libfuse hides an open file it is asked to unlink: unlink it, keep it by that name
        Namespace.writable(sp, from);
        c.keep(n);
        c.remove(sp.children, srcName);
        c.journalRemove(sp, srcName, false);
        n.parent = null;
        Instant now = core.now();
        n.ctime = now;
        c.put(dp.hidden, dstName, n);
        Namespace.touch(c, sp, now);
        return null;
      }
      if (n instanceof DirNode) {
        for (DirNode p = dp; p != null; p = p.parent) {
          if (p == n) {
            throw new FsException(FsError.INVALID, "cannot move " + from + " into itself");
          }
        }
      }
      Namespace.writable(sp, from);
      Namespace.writable(dp, to);
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
          if (Tree.listing(td, to).size() > 0) {
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
      Namespace.touch(c, dp, now);
      if (sp != dp) {
        Namespace.touch(c, sp, now);
      }
      return !exchange && target instanceof FileNode f ? f : null;
    });
    ns.forgetIfClosed(orphan);
  }
}
