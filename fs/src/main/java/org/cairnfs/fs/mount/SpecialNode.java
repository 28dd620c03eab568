package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * A FIFO, socket or device node: a name with metadata and nothing on the grid. The kernel
 * serves its opens (pipes, sockets, device drivers); the mount only keeps the entry.
 */
final class SpecialNode extends Node {
  final EntryKind kind;
  final long rdev;

  SpecialNode(long ino, EntryKind kind, long rdev, int mode, int uid, int gid, Instant mtime,
      Instant ctime) {
    super(ino, mode, uid, gid, mtime, ctime);
    if (!kind.isSpecial()) {
      throw new IllegalArgumentException(kind + " is not a special file");
    }
    this.kind = kind;
    this.rdev = kind.isDevice() ? rdev : 0;
  }

  @Override
  EntryKind kind() {
    return kind;
  }

  @Override
  NodeMetadata metadata() {
    return new NodeMetadata(kind, 0, mode, mtime, ctime, Optional.empty(), xattrs, rdev);
  }
}
