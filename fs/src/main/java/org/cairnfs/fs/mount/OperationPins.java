package org.cairnfs.fs.mount;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The directories each tree operation walked through: pinned by {@link Tree#prepare} as it
 * walks, until the thread next lets go of the tree lock entirely after its last prepare.
 * {@link ListedDirectories} never drops a pinned listing, so what an operation prepared stays
 * until it has resolved its paths and made its checks under the lock, however long its
 * listings took (a rename prepares three paths, each of which may wait for the grid), while
 * everything else idle can still go.
 *
 * <p>An operation that fails between its prepare and the lock keeps its pins until the
 * thread's next operation ends (memory, not correctness).
 */
final class OperationPins {
  private final ThreadLocal<Held> mine = ThreadLocal.withInitial(Held::new);
  private final AtomicInteger pinned = new AtomicInteger();

  /** One thread's pinned directories, and whether its last prepare has ended. */
  private static final class Held {
    final Set<DirNode> dirs = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean armed;
  }

  /** A prepare begins: what the operation pinned before stays pinned. */
  void begin() {
    mine.get().armed = false;
  }

  /** The prepare walks through {@code d}. */
  void pin(DirNode d) {
    if (mine.get().dirs.add(d)) {
      d.pins.incrementAndGet();
      pinned.incrementAndGet();
    }
  }

  /** A prepare ended: the operation's next full release of the tree lock unpins. */
  void arm() {
    mine.get().armed = true;
  }

  /** Whether this thread's last prepare has ended (its next full unlock unpins). */
  boolean armed() {
    return mine.get().armed;
  }

  /** A prepare failed: the operation ends here. */
  void abort() {
    unpin(mine.get());
  }

  /** The thread holds no tree lock any more. */
  void released() {
    Held h = mine.get();
    if (h.armed) {
      unpin(h);
    }
  }

  private void unpin(Held h) {
    h.armed = false;
    for (DirNode d : h.dirs) {
      d.pins.decrementAndGet();
    }
    pinned.addAndGet(-h.dirs.size());
    h.dirs.clear();
  }

  /** Directory pins held now, over all threads (tests). */
  int pinned() {
    return pinned.get();
  }
}
