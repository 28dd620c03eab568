package org.cairnfs.storage.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a durable step for many items at once: items submitted while a batch is being
 * committed wait and form the next batch, so the costly syncs of that step are paid once per
 * batch, not once per item. The caller's future completes only after its item's batch has
 * committed (or failed for that item).
 *
 * <p>Why no fixed delay: batching comes from concurrency itself (natural group commit): a lone
 * item commits at once, and under load the batch grows to whatever arrived during the previous
 * commit. One daemon thread commits; batches hold at most {@code maxBatch} items.
 *
 * @param <T> what is committed
 */
final class GroupCommit<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  /** The durable step: commits a batch and returns the items that failed, with why. */
  interface Committer<T> {
    Map<T, Throwable> commit(List<T> batch);
  }

  private record Pending<T>(T item, CompletableFuture<Void> done) {}

  @SuppressWarnings("rawtypes")
  private static final Pending STOP = new Pending<>(null, null);

  private final LinkedBlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
  private final Committer<T> committer;
  private final int maxBatch;
  private final Thread thread;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Held while a batch commits; a test holding it keeps the next batch from starting. */
  private final ReentrantLock committing = new ReentrantLock();
  private long batches;
  private long items;
  private final java.util.concurrent.atomic.AtomicLong submitted =
      new java.util.concurrent.atomic.AtomicLong();

  GroupCommit(String name, int maxBatch, Committer<T> committer) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("a batch must hold at least one item, got " + maxBatch);
    }
    this.committer = committer;
    this.maxBatch = maxBatch;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code item}; the future completes once it is committed. */
  CompletableFuture<Void> submit(T item) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closing.get()) {
      done.completeExceptionally(new IllegalStateException("the store is closing"));
      return done;
    }
    Pending<T> pending = new Pending<>(item, done);
    submitted.incrementAndGet();
    queue.add(pending);
    if (closing.get() && queue.remove(pending)) {
      done.completeExceptionally(new IllegalStateException("the store is closing"));
    }
    return done;
  }

  /** Items submitted so far, committed or not (tests). */
  long submitted() {
    return submitted.get();
  }

  /** Batches committed and items in them so far: {@code {batches, items}}. */
  synchronized long[] counts() {
    return new long[] {batches, items};
  }

  private void loop() {
    List<Pending<T>> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // nothing interrupts this thread on purpose
      }
      queue.drainTo(batch, maxBatch - 1);
      if (batch.removeIf(p -> p == STOP)) {
        stop = true;
        queue.drainTo(batch); // submitted before close() returned: commit them too
      }
      if (!batch.isEmpty()) {
        run(batch);
      }
      batch.clear();
    }
  }

  private void run(List<Pending<T>> batch) {
    committing.lock();
    try {
      runLocked(batch);
    } finally {
      committing.unlock();
    }
  }

  /** The lock a batch holds while it commits (tests take it to hold batches back). */
  ReentrantLock committing() {
    return committing;
  }

  private void runLocked(List<Pending<T>> batch) {
    List<T> itemsOf = new ArrayList<>(batch.size());
    batch.forEach(p -> itemsOf.add(p.item()));
    Map<T, Throwable> failed;
    try {
      failed = committer.commit(itemsOf);
    } catch (RuntimeException | Error e) {
      log.warn("group commit of {} item(s) failed", batch.size(), e);
      batch.forEach(p -> p.done().completeExceptionally(e));
      return;
    }
    synchronized (this) {
      batches++;
      items += batch.size();
    }
    for (Pending<T> p : batch) {
      Throwable why = failed.get(p.item());
      if (why == null) {
        p.done().complete(null);
      } else {
        p.done().completeExceptionally(why);
      }
    }
  }

  /** Commits everything already queued, then stops; later submits fail. */
  @Override
  @SuppressWarnings("unchecked")
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    queue.add((Pending<T>) STOP);
    // An interrupted closer still waits: its leaving early would fail queued items the thread
    // is about to commit, or take the STOP away from it.
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Pending<T> left;
    while ((left = queue.poll()) != null) {
      if (left != STOP) {
        left.done().completeExceptionally(new IllegalStateException("the store closed"));
      }
    }
  }
}
