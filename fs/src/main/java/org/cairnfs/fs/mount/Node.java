package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * A node of the mounted tree: a stable inode number and the attributes stat shows. Name, parent,
 * mode, owner and xattrs change only under the tree's write lock; times are volatile so the data
 * path updates them without it.
 */
abstract class Node {
  final long ino;
  DirNode parent;
  String name;
  int mode;
  int uid;
  int gid;
  volatile Instant atime;
  volatile Instant mtime;
  volatile Instant ctime;
  /** Replaced, never changed in place; the shared empty map while there are none (most nodes). */
  Map<String, byte[]> xattrs = Map.of();
  /** Whether the entry keeps the owner (set explicitly, or found there): {@link NodeOwner}. */
  boolean ownerKept;

  /** A node's own copy of {@code m}: the shared empty map when there are none. */
  static Map<String, byte[]> xattrsOf(Map<String, byte[]> m) {
    return m.isEmpty() ? Map.of() : new TreeMap<>(m);
  }

  /**
   * Takes what an entry's xattrs say: the owner kept there (if any) becomes this node's, and the
   * rest are its application xattrs. An entry without an owner leaves the node's as it is.
   */
  void takeXattrs(Map<String, byte[]> entryXattrs) {
    NodeOwner.in(entryXattrs).ifPresent(o -> {
      uid = o.uid();
      gid = o.gid();
      ownerKept = true;
    });
    xattrs = xattrsOf(NodeOwner.without(entryXattrs));
  }

  Node(long ino, int mode, int uid, int gid, Instant mtime, Instant ctime) {
    this.ino = ino;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.mtime = mtime;
    this.ctime = ctime;
    this.atime = mtime;
  }

  abstract EntryKind kind();

  /** What the parent's entry records about this node. */
  abstract NodeMetadata metadata();

  /** Whether this node is attached to the tree. */
  boolean linked() {
    return parent != null || this instanceof DirNode d && d.isRoot;
  }
}
