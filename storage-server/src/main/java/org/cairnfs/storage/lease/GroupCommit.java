package org.cairnfs.storage.lease;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of the lease database: changes applied under the monitor join the open {@link
 * Batch}, and the first of their callers to get the commit lock commits the batch for all.
 *
 * <p>Why: the costly part of a commit is syncing the write-ahead log, so operations that arrive
 * while a commit runs share the next one instead of each syncing. A commit covers every change
 * made since the last one, so it runs under the same monitor as the changes and never splits an
 * operation. A commit that fails rolls back and fails every operation of its batch.
 */
final class GroupCommit {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** Runs the commit; tests inject one that counts, delays or fails it. */
  interface Committer {
    /** Runs {@code commit} (which syncs the log) for {@code operations} applied changes. */
    void commit(Runnable commit, int operations);
  }

  /** The operations applied since the last commit; they become durable, or fail, together. */
  static final class Batch {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int operations;
  }

  /** {@link LeaseDb}'s monitor, under which changes are applied and committed. */
  private final Object monitor;
  private final LeaseDbFile file;
  private final Committer committer;
  /** Held by the one thread committing a batch; never taken while holding the monitor. */
  private final ReentrantLock commitLock = new ReentrantLock();
  /** The batch that changes applied now join (guarded by the monitor). */
  private Batch open = new Batch();

  GroupCommit(Object monitor, LeaseDbFile file, Committer committer) {
    this.monitor = monitor;
    this.file = file;
    this.committer = committer;
  }

  /**
   * Applies {@code change} and joins the open batch; caller holds the monitor. A change that
   * fails half-way is rolled back with the rest of the open batch (a transaction rolls back
   * whole), so that batch fails as a whole rather than commit without some of its operations.
   */
  Batch applying(Runnable change) {
    Batch batch = open;
    try {
      change.run();
    } catch (RuntimeException | Error e) {
      abandon(e);
      throw e;
    }
    batch.operations++;
    return batch;
  }

  /**
   * After any failure of the database (a read too: SQLite may have rolled the transaction back
   * by itself, and the driver closes a failed statement for good), fails the open batch and rolls
   * back, so no batch reports success for changes that were dropped. Caller holds the monitor;
   * returns {@code e}.
   */
  <T extends Throwable> T abandon(T e) {
    Batch failed = open;
    open = new Batch();
    file.rollBack(e);
    failed.done.completeExceptionally(e);
    return e;
  }

  /**
   * Returns once {@code batch} is committed; throws what failed its commit. The first waiter
   * to get the commit lock while its batch is still open commits it (with every change applied
   * so far); the others find it done. A batch is always completed before the commit lock is
   * released, so no waiter can miss its outcome.
   */
  void await(Batch batch) {
    if (!batch.done.isDone()) {
      commitLock.lock();
      try {
        if (!batch.done.isDone()) {
          commitOpen();
        }
      } finally {
        commitLock.unlock();
      }
    }
    try {
      batch.done.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      throw new IllegalStateException("lease database commit failed: " + cause, cause);
    }
  }

  /**
   * The open batch when it holds changes not yet committed, else null; caller holds the
   * monitor. An operation that changes nothing awaits it: what it found may be such a change.
   */
  Batch uncommitted() {
    return open.operations > 0 ? open : null;
  }

  /** The lock a commit holds; a test holding it makes operations pile up into one batch. */
  ReentrantLock commitLock() {
    return commitLock;
  }

  /** Commits the open batch; caller holds the commit lock. */
  private void commitOpen() {
    Batch batch;
    Throwable failure = null;
    synchronized (monitor) {
      batch = open;
      open = new Batch();
      try {
        committer.commit(file::commit, batch.operations);
      } catch (RuntimeException | Error e) {
        failure = e;
        file.rollBack(e);
      }
    }
    if (failure == null) {
      batch.done.complete(null);
    } else {
      LOG.warn("lease database commit of {} operation(s) failed", batch.operations, failure);
      batch.done.completeExceptionally(failure);
    }
  }
}
