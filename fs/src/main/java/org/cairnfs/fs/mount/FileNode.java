package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;

/** A regular file: its content (base cap and local layers) and how many handles hold it. */
final class FileNode extends Node {
  final FileData data;
  /** Open handles; guarded by the tree lock. */
  int openCount;

  FileNode(long ino, FileData data, int mode, int uid, int gid, Instant mtime, Instant ctime) {
    super(ino, mode, uid, gid, mtime, ctime);
    this.data = data;
  }

  @Override
  EntryKind kind() {
    return EntryKind.FILE;
  }

  @Override
  NodeMetadata metadata() {
    return new NodeMetadata(EntryKind.FILE, data.size(), mode, mtime, ctime, Optional.empty(),
        xattrs);
  }

  /** What a journaled entry points to: the grid cap while clean, else the local file. */
  ChildRef childRef() {
    Optional<String> base = data.base();
    long gen = data.lastSealedGen();
    if (base.isPresent() && gen == 0 && !data.hasLocalChanges()) {
      return new ChildRef.Cap(base.get());
    }
    return new ChildRef.LocalFile(data.id(), gen);
  }
}
