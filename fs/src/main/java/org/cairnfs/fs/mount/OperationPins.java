package org.cairnfs.fs.mount;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which threads are inside a tree operation, and since when: from the first {@link
 * Tree#prepare} of the operation until the thread next lets go of the tree lock entirely after
 * its last prepare. {@link ListedDirectories} never drops a listing used since the oldest of
 * them began, so a listing an operation prepared stays there until it has resolved its paths
 * and made its checks under the lock, however long its listings took (a rename prepares three
 * paths, each of which may wait for the grid).
 *
 * <p>An operation that fails between its prepare and the lock keeps its pin until the thread's
 * next operation ends; meanwhile listings used after it began are kept (memory, not
 * correctness).
 */
final class OperationPins {
  private final ConcurrentHashMap<Thread, Long> since = new ConcurrentHashMap<>();
  /** Per thread: whether its last prepare has ended, so its next full unlock ends the pin. */
  private final ThreadLocal<boolean[]> armed = ThreadLocal.withInitial(() -> new boolean[1]);

  /**
   * A prepare begins: pins the thread from now, or keeps an older pin (its operation's first
   * prepare's, or one an earlier operation that failed before the lock left: kept, which only
   * keeps more listings).
   */
  void begin() {
    armed.get()[0] = false;
    since.putIfAbsent(Thread.currentThread(), System.nanoTime());
  }

  /** A prepare ended: the operation's next full release of the tree lock ends its pin. */
  void arm() {
    armed.get()[0] = true;
  }

  /** A prepare failed: the operation ends here. */
  void abort() {
    armed.get()[0] = false;
    since.remove(Thread.currentThread());
  }

  /** The thread holds no tree lock any more. */
  void released() {
    boolean[] a = armed.get();
    if (a[0]) {
      a[0] = false;
      since.remove(Thread.currentThread());
    }
  }

  /** Whether a listing last used at {@code usedAtNanos} may be in use by a pinned operation. */
  boolean mayBeInUse(long usedAtNanos) {
    for (long start : since.values()) {
      if (usedAtNanos - start >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Threads pinned now (tests). */
  int pinned() {
    return since.size();
  }
}
