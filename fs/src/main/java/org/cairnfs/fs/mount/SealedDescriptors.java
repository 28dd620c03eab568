package org.cairnfs.fs.mount;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Which sealed layers keep their spool file open: the most recently used, at most a limit in
 * the whole process. A mount that cannot reach the grid (or falls behind a copy of many small
 * files) holds the changes of thousands of closed files; a descriptor each would run into the
 * process's limit, and then the uploader could not even open a socket. The least recently
 * used is closed, and opens again at its next read or force.
 */
final class SealedDescriptors {
  /**
   * Far more than the uploader's files in flight and the reads of pending files need, so that a
   * burst of small files (`cp -r` of 1 000) closes none: closing one not yet forced costs an
   * fsync. A twentieth of the smallest descriptor limit the JVM runs with here (20 000).
   */
  static final int LIMIT = 1024;
  static final SealedDescriptors SHARED = new SealedDescriptors(LIMIT);

  private final int limit;
  private final LinkedHashMap<Layer, Boolean> open = new LinkedHashMap<>(64, 0.75f, true);

  SealedDescriptors(int limit) {
    this.limit = limit;
  }

  /** {@code l}'s spool file is open and in use: the least recently used past the limit close. */
  void used(Layer l) {
    List<Layer> closing = new ArrayList<>(1);
    synchronized (this) {
      if (l.dropped()) {
        return; // closed for good meanwhile: its forget may already have run
      }
      open.put(l, Boolean.TRUE);
      Iterator<Layer> eldest = open.keySet().iterator();
      while (open.size() > limit) {
        closing.add(eldest.next());
        eldest.remove();
      }
    }
    for (Layer c : closing) { // outside this lock: a layer's own lock is taken first elsewhere
      c.closeUntilUsed();
    }
  }

  /** {@code l} is closed for good. */
  synchronized void forget(Layer l) {
    open.remove(l);
  }

  /** How many sealed spool files may be open now (at least as many as are). */
  synchronized int held() {
    return open.size();
  }
}
