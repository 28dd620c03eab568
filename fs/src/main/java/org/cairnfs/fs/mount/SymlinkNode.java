package org.cairnfs.fs.mount;

import java.time.Instant;
import org.cairnfs.caps.dirnode.EntryKind;

/** A symbolic link: only a target. */
final class SymlinkNode extends Node {
  final String target;

  SymlinkNode(long ino, String target, int mode, int uid, int gid, Instant mtime,
      Instant ctime) {
    super(ino, mode, uid, gid, mtime, ctime);
    this.target = target;
  }

  @Override
  EntryKind kind() {
    return EntryKind.SYMLINK;
  }

  @Override
  NodeMetadata metadata() {
    return new NodeMetadata(EntryKind.SYMLINK,
        target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, mode, mtime, ctime,
        java.util.Optional.of(target), xattrs);
  }
}
