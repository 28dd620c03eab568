package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;

/** A regular file: its content (base cap and local layers) and how many handles hold it. */
final class FileNode extends Node {
  final FileData data;
  /** Open handles; guarded by the node's monitor. */
  int openCount;
  /**
   * Set when a listing found another version under this file's name while it was busy here
   * (open or changed): that entry ({@code null}: the name was removed) and its directory's
   * publish epoch at that listing. The tree applies it at the last close
   * ({@link Tree#afterLastClose}). Written under the tree's write lock.
   */
  volatile boolean behindGrid;
  RemoteEntry gridEntry;
  long gridEpoch;
  /** Where the note was taken: it applies only while the file is still there. */
  DirNode gridDir;
  String gridName;

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
    // flags before base: FileData publishes a new base before the layers it replaces go
    boolean clean = !data.hasLocalChanges();
    long gen = data.lastSealedGen();
    Optional<String> base = data.base();
    if (base.isPresent() && gen == 0 && clean) {
      return new ChildRef.Cap(base.get());
    }
    return new ChildRef.LocalFile(data.id(), gen);
  }
}
