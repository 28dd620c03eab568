package org.cairnfs.protocol.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A server-wide count of bytes buffered for connections (requests being received or waiting to
 * run, or responses waiting to be sent), with a hard maximum.
 *
 * <p>Why: each connection's own limits bound what one peer can pin, but not what a thousand can
 * pin together. Every buffer is counted here <em>before</em> it is allocated; a connection that
 * does not get its bytes waits (its reading or dispatching paused) in a first-come queue until
 * others give bytes back, so a large frame is not starved by a stream of small ones.
 *
 * <p>Thread-safe. Grants run on the waiter's executor (its event loop), outside the lock.
 */
final class MemoryBudget {
  private final String name;
  private final long max;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private long used;
  private long peak;

  /** Someone waiting for {@code bytes}; {@code granted} runs once they are taken for it. */
  private static final class Waiter {
    final long bytes;
    final Executor executor;
    final Runnable granted;

    Waiter(long bytes, Executor executor, Runnable granted) {
      this.bytes = bytes;
      this.executor = executor;
      this.granted = granted;
    }
  }

  /** A wait that may be given up (its connection closed). */
  interface Wait {
    /**
     * Gives up the wait. Returns true when it was withdrawn before any grant; false when a
     * grant is on its way, whose callback will still run and must therefore check that its
     * connection is open and give the bytes back otherwise.
     */
    boolean cancel();
  }

  MemoryBudget(String name, long max) {
    if (max <= 0) {
      throw new IllegalArgumentException(name + " budget must be positive, got " + max);
    }
    this.name = name;
    this.max = max;
  }

  long max() {
    return max;
  }

  synchronized long used() {
    return used;
  }

  /** Highest {@link #used()} seen (tests and status). */
  synchronized long peak() {
    return peak;
  }

  /** Takes {@code bytes} if they fit now and nobody is queued ahead; else takes nothing. */
  synchronized boolean tryTake(long bytes) {
    if (!waiters.isEmpty() || bytes > max - used) {
      return false;
    }
    add(bytes);
    return true;
  }

  /**
   * Takes {@code bytes} even past the maximum. For the few bounded cases where waiting would
   * be worse than a small, separately bounded overshoot (one small frame on an otherwise idle
   * connection, so control requests are never stuck behind a flood of large frames).
   */
  synchronized void force(long bytes) {
    add(bytes);
  }

  /**
   * Takes {@code bytes} now (returns null) or queues for them: {@code granted} then runs on
   * {@code executor} once they were taken on the caller's behalf. A request above the maximum
   * waits until the budget is empty and is then granted alone.
   */
  Wait takeOrWait(long bytes, Executor executor, Runnable granted) {
    Waiter w;
    synchronized (this) {
      if (waiters.isEmpty() && fits(bytes)) {
        add(bytes);
        return null;
      }
      w = new Waiter(bytes, executor, granted);
      waiters.add(w);
    }
    return () -> {
      synchronized (MemoryBudget.this) {
        return waiters.remove(w);
      }
    };
  }

  /** Gives back {@code bytes} and grants queued waiters, in order, while they fit. */
  void release(long bytes) {
    if (bytes <= 0) {
      return;
    }
    List<Waiter> grant = new ArrayList<>();
    synchronized (this) {
      used -= bytes;
      if (used < 0) {
        throw new IllegalStateException(name + " budget released more than taken (" + used + ")");
      }
      while (!waiters.isEmpty() && fits(waiters.peek().bytes)) {
        Waiter w = waiters.poll();
        add(w.bytes);
        grant.add(w);
      }
    }
    for (Waiter w : grant) {
      try {
        w.executor.execute(w.granted);
      } catch (RejectedExecutionException e) {
        release(w.bytes); // its event loop is shutting down: nobody will use the bytes
      }
    }
  }

  synchronized int waiting() {
    return waiters.size();
  }

  private boolean fits(long bytes) {
    return bytes <= max - used || used == 0;
  }

  private void add(long bytes) {
    used += bytes;
    peak = Math.max(peak, used);
  }

  @Override
  public synchronized String toString() {
    return name + " " + used + "/" + max + " bytes, " + waiters.size() + " waiting";
  }
}
