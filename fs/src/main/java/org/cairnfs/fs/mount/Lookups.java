package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lookups of {@link MountCore}: getattr, readdir and readlink, and the stat(2) view of a
 * node they answer with. Each prepares its path, then reads the tree under its read lock.
 */
final class Lookups {
  private final Tree tree;
  private final OpenFiles files;

  Lookups(Tree tree, OpenFiles files) {
    this.tree = tree;
    this.files = files;
  }

  StatInfo getattr(String path) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    tree.lock.readLock().lock();
    try {
      return stat(tree.resolve(names));
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  StatInfo fgetattr(long fh) throws FsException {
    OpenFile f = files.handle(fh);
    tree.lock.readLock().lock();
    try {
      return stat(f.node());
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  StatInfo stat(Node n) {
    long size;
    long nlink = 1;
    if (n instanceof FileNode f) {
      size = f.data.size();
      nlink = f.linked() ? 1 : 0;
    } else if (n instanceof DirNode d) {
      size = 4096;
      nlink = d.children == null ? 1 : 2 + d.subdirectories();
    } else if (n instanceof SymlinkNode s) {
      size = s.target.getBytes(StandardCharsets.UTF_8).length;
    } else {
      size = 0;
    }
    return new StatInfo(n.ino, n.kind(), n.mode, nlink, n.uid, n.gid, size, (size + 511) / 512,
        n.atime, n.mtime, n.ctime, n instanceof SpecialNode sp ? sp.rdev : 0);
  }

  List<DirEntryInfo> readdir(String path) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, true);
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      if (!(n instanceof DirNode d)) {
        throw new FsException(FsError.NOT_DIRECTORY, path + " is not a directory");
      }
      Map<String, Node> children = Tree.listing(d, path);
      List<DirEntryInfo> out = new ArrayList<>(children.size() + 2);
      out.add(new DirEntryInfo(".", stat(d)));
      out.add(new DirEntryInfo("..", stat(d.parent != null ? d.parent : d)));
      for (Map.Entry<String, Node> e : children.entrySet()) {
        out.add(new DirEntryInfo(e.getKey(), stat(e.getValue())));
      }
      return out;
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  String readlink(String path) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      if (!(n instanceof SymlinkNode s)) {
        throw new FsException(FsError.INVALID, path + " is not a symlink");
      }
      return s.target;
    } finally {
      tree.lock.readLock().unlock();
    }
  }
}
