package org.cairnfs.fs.mount;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the pending state to the grid in rounds. A round takes every pending change at once:
 * uploads the files they name (only their dirty ranges), creates new directories, then
 * publishes each directory once with all its changes (moves out of a directory last, so an
 * entry is never in neither place). Changes made during a round wait for the next, which is how
 * a thousand creates in one directory become a handful of publishes. Failures are retried with
 * exponential backoff and reported to whoever waits in {@link #awaitPublished}. This class
 * decides when rounds run; {@link UploadRound} is what one does, {@link UploadStatus} what
 * they report.
 */
final class Uploader {
  private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
  /** Files up to this size count as small: their upload holds about 4x this in memory. */
  static final long SMALL_FILE = 256 * 1024;
  /** Small files uploaded at once per upload slot. */
  static final int SMALL_PER_SLOT = 8;
  /**
   * A round starts without waiting for a pause once sealed layers hold 1/16 of the cache bound
   * (not open ones: a file kept open and written is no reason to stop coalescing the rest).
   */
  static final int EARLY_START = 16;

  private final WriteBack wb;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition roundDone = lock.newCondition();
  private boolean work;
  private long lastKick = System.nanoTime();
  /** When the first change not yet taken by a round came: the coalesce limit counts from it. */
  private long firstKick = System.nanoTime();
  private int urgent;
  private boolean stopping;
  private long rounds;
  private long started;
  private Thread thread;
  private final UploadStatus status = new UploadStatus();
  private final DirectoryPublishes publishes;
  private final UploadRound round;

  Uploader(WriteBack wb) {
    this.wb = wb;
    this.publishes = new DirectoryPublishes(wb, status);
    this.round = new UploadRound(wb, status, new FileUploads(wb, status), publishes);
  }

  void onPublished(Consumer<DirRef> listener) {
    publishes.onPublished(listener);
  }

  /** {@link DirectoryPublishes#onNameTaken}. */
  void onNameTaken(java.util.function.BiConsumer<DirRef, String> listener) {
    publishes.onNameTaken(listener);
  }

  void start() {
    thread = new Thread(this::run, "cairn-uploader");
    thread.setDaemon(true);
    thread.start();
    kick(false);
  }

  void stop() {
    lock.lock();
    try {
      stopping = true;
      wake.signalAll();
      roundDone.signalAll();
    } finally {
      lock.unlock();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** New work was journaled; {@code now} skips the coalescing delay. */
  void kick(boolean now) {
    lock.lock();
    try {
      lastKick = System.nanoTime();
      if (!work) {
        firstKick = lastKick;
      }
      work = true;
      if (now) {
        urgent++;
      }
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long backoffNanos = 0;
    int taken = 0;
    while (true) {
      lock.lock();
      try {
        while (!work && !stopping) {
          wake.awaitUninterruptibly();
        }
        if (stopping) {
          return;
        }
        // let changes gather until they pause for the coalesce delay, at most the coalesce
        // limit after the first (as the kernel's dirty_expire); a waiter (fsync, sync,
        // write-through) or a spool past 1/EARLY_START of the cache bound cuts it short
        long quiet = wb.config.coalesceDelay().toNanos();
        long latest = firstKick + wb.config.coalesceLimit().toNanos();
        while (urgent == 0 && !stopping && !spoolLarge()) {
          long now = System.nanoTime();
          long left = Math.min(lastKick + quiet, latest) - now;
          if (left <= 0) {
            break;
          }
          wake.awaitNanos(left);
        }
        if (stopping) {
          return; // close() drained what it could; the journal keeps the rest
        }
        work = false;
        taken = urgent;
        started++;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      boolean failed;
      try {
        failed = !round.run();
      } catch (RuntimeException | IOException e) {
        LOG.error("upload round failed", e);
        failed = true;
        status.threw(GridException.of(e));
      }
      lock.lock();
      try {
        rounds++;
        urgent -= taken; // waiters that came during the round start the next one at once
        if (urgent > 0) {
          work = true;
        }
        roundDone.signalAll();
        if (failed) {
          backoffNanos = nextBackoff(backoffNanos, wb.config.retryInitial(),
              wb.config.retryMax());
          work = true;
          long left = backoffNanos;
          while (left > 0 && !stopping && urgent == 0) {
            left = wake.awaitNanos(left);
          }
        } else {
          backoffNanos = 0;
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /** The wait after a failed round: the initial wait, then doubling up to the maximum. */
  static long nextBackoff(long lastNanos, Duration initial, Duration max) {
    return lastNanos == 0 ? initial.toNanos() : Math.min(lastNanos * 2, max.toNanos());
  }

  private boolean spoolLarge() {
    return wb.budget.sealed() >= wb.budget.bound() / EARLY_START;
  }

  /**
   * Waits until no pending change has a sequence number up to {@code seq}.
   *
   * @throws FsException NO_SPACE or IO when a round ends with such changes left and a failure
   */
  void awaitPublished(long seq, long timeoutNanos) throws FsException {
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (true) {
        if (minPendingSeq() > seq) {
          return;
        }
        wb.grid.retryUnreachable(); // a grid that came back takes this waiter's round
        long target = started + 1; // a round that begins after this call
        work = true;
        urgent++;
        wake.signalAll();
        while (rounds < target) {
          if (stopping) {
            throw new FsException(FsError.IO, "the mount is stopping with changes not on the"
                + " grid");
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new FsException(FsError.IO, "timed out waiting for the grid");
          }
          roundDone.awaitNanos(left);
        }
        if (minPendingSeq() > seq) {
          return;
        }
        Optional<GridException> err = status.lastError();
        if (err.isPresent()) {
          throw FsException.of(err.get(), "uploading to the grid");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(FsError.IO, "interrupted while waiting for the grid");
    } finally {
      lock.unlock();
    }
  }

  private long minPendingSeq() {
    wb.lock.lock();
    try {
      long min = Long.MAX_VALUE;
      for (List<PendingState.Change> cs : wb.pending.allChanges().values()) {
        for (PendingState.Change c : cs) {
          min = Math.min(min, c.seq());
        }
      }
      return min;
    } finally {
      wb.lock.unlock();
    }
  }

  /**
   * Waits, without hurrying the uploader (no urgency, so its coalescing and its backoff after a
   * failure hold), until a round that had not finished at the call ends, {@code timeoutNanos}
   * pass, or the uploader stops.
   */
  void awaitRound(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      long target = rounds + 1;
      while (rounds < target && !stopping) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        roundDone.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the last round failed (and its failure persists). */
  boolean failing() {
    return status.lastError().isPresent();
  }

  /** Rounds finished since start (tests count them). */
  long rounds() {
    lock.lock();
    try {
      return rounds;
    } finally {
      lock.unlock();
    }
  }

  MountStatus status(int changes, long spool, long bound) {
    return status.mountStatus(changes, spool, bound);
  }
}
