package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.dirnode.EntryKind;

/** A directory: its grid identity, whether it can be changed, and its loaded children. */
final class DirNode extends Node {
  DirRef ref;
  final boolean writable;
  final boolean isRoot;
  /** Children by name; null until listed. Guarded by the tree lock. */
  TreeMap<String, Node> children;
  /** When the grid was asked for the listing installed now (System.nanoTime). */
  long listedAtNanos;
  /** The order number of the listing installed now; an older one is not installed over it. */
  long listingTicket;
  /** When a lookup last went through here (System.nanoTime; written under either tree lock). */
  volatile long usedAtNanos;
  /** Entries of this listing counted by {@link ListedDirectories}; under the write lock. */
  int countedEntries;
  /** Operations in flight that walked through here ({@link OperationPins}). */
  final java.util.concurrent.atomic.AtomicInteger pins = new java.util.concurrent.atomic.AtomicInteger();
  /**
   * Open files unlinked through libfuse's high-level API, which renames them to
   * {@code .fuse_hidden*} until their last close: reachable by that path, never listed or
   * journaled. Guarded by the tree lock.
   */
  final java.util.Map<String, Node> hidden = new java.util.HashMap<>();
  /** Counts publishes to this directory, so a listing fetched before one is not trusted. */
  volatile long publishes;
  /**
   * The journal's sequence number of the last change made here in this directory's subtree (an
   * entry of it or of a directory below, a file below closed): reading its cap waits until the
   * grid has that much. Never lower than any directory's below it (see {@link #changed}).
   */
  final AtomicLong changedSeq = new AtomicLong();

  DirNode(long ino, DirRef ref, boolean writable, boolean isRoot, int mode, int uid, int gid,
      Instant mtime, Instant ctime) {
    super(ino, mode, uid, gid, mtime, ctime);
    this.ref = ref;
    this.writable = writable;
    this.isRoot = isRoot;
  }

  @Override
  EntryKind kind() {
    return EntryKind.DIRECTORY;
  }

  @Override
  NodeMetadata metadata() {
    return new NodeMetadata(EntryKind.DIRECTORY, 0, mode, mtime, ctime,
        java.util.Optional.empty(), xattrs);
  }

  /**
   * Notes a change journaled at {@code seq} in {@code d}, for it and every directory above it.
   * Stops at the first that has as much already: sequence numbers only grow, and a directory
   * linked under a new parent is journaled there at a newer one.
   */
  static void changed(DirNode d, long seq) {
    for (DirNode p = d; p != null; p = p.parent) {
      if (p.changedSeq.getAndAccumulate(seq, Math::max) >= seq) {
        return;
      }
    }
  }

  int subdirectories() {
    if (children == null) {
      return 0;
    }
    int n = 0;
    for (Node c : children.values()) {
      if (c instanceof DirNode) {
        n++;
      }
    }
    return n;
  }
}
