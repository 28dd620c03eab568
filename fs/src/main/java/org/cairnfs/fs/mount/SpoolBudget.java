package org.cairnfs.fs.mount;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the bytes the spool holds against the cache bound, and how many of them are sealed
 * (committed, for the uploader to take). Writers wait here, outside any file lock, while the
 * uploader drains; they give up with ENOSPC only after the configured wait.
 */
final class SpoolBudget {
  private final long bound;
  /** How long a waiting writer sleeps between looks when no release wakes it. */
  private final long pollNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private long used;
  /** The part of {@code used} in sealed layers: what the uploader can take now. */
  private long sealed;
  /** Counts the uploader's steps forward inside a layer (new bytes read for upload). */
  private long progress;

  SpoolBudget(long bound) {
    this(bound, TimeUnit.MILLISECONDS.toNanos(200));
  }

  /** With another poll interval (tests: a long one shows that a release wakes the writer). */
  SpoolBudget(long bound, long pollNanos) {
    this.bound = bound;
    this.pollNanos = pollNanos;
  }

  void add(long bytes) {
    lock.lock();
    try {
      used += bytes;
    } finally {
      lock.unlock();
    }
  }

  void release(long bytes) {
    lock.lock();
    try {
      used = Math.max(0, used - bytes);
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Bytes already counted move from an open layer to a sealed one. */
  void seal(long bytes) {
    lock.lock();
    try {
      sealed += bytes;
    } finally {
      lock.unlock();
    }
  }

  /** A sealed layer's bytes leave the spool (uploaded or discarded). */
  void releaseSealed(long bytes) {
    lock.lock();
    try {
      sealed = Math.max(0, sealed - bytes);
      used = Math.max(0, used - bytes);
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The uploader moved on: it read bytes of a file it had not read before, finished a file or
   * published a directory. It drains, however slowly, even if no byte of this writer's is
   * released yet (a large layer takes long to upload on a loaded machine, and a round of
   * thousands of other files' changes comes first).
   */
  void progressed() {
    lock.lock();
    try {
      progress++;
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long sealed() {
    lock.lock();
    try {
      return sealed;
    } finally {
      lock.unlock();
    }
  }

  long used() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  long bound() {
    return bound;
  }

  boolean over(long extra) {
    lock.lock();
    try {
      return used + extra > bound;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for room while the cache drains: false once {@code nanos} pass with no byte released
   * and no {@link #progressed() progress} of the uploader (a cache that cannot drain), however
   * long a draining one takes.
   */
  boolean awaitRoom(long extra, long nanos) throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + nanos;
      long low = used;
      long seen = progress;
      while (used + extra > bound) {
        if (used < low || progress != seen) { // the uploader released some, or moved on
          low = Math.min(low, used);
          seen = progress;
          deadline = System.nanoTime() + nanos;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(Math.min(left, pollNanos));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
