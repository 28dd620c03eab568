package org.cairnfs.fs.mount;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the pending state to the grid in rounds. A round takes every pending change at once:
 * uploads the files they name (only their dirty ranges), creates new directories, then
 * publishes each directory once with all its changes (moves out of a directory last, so an
 * entry is never in neither place). Changes made during a round wait for the next, which is how
 * a thousand creates in one directory become a handful of publishes. Failures are retried with
 * exponential backoff and reported to whoever waits in {@link #awaitPublished}.
 */
final class Uploader {
  private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
  /** Files up to this size count as small: their upload holds about 4x this in memory. */
  static final long SMALL_FILE = 256 * 1024;
  /** The size an EntriesPublished record stays under (the journal's bound is 1 MiB). */
  static final long PUBLISHED_RECORD_BYTES = 256 * 1024;
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
  private volatile Optional<GridException> lastError = Optional.empty();
  private volatile Optional<Instant> failingSince = Optional.empty();
  private long publishes;
  private long uploads;
  private volatile Consumer<DirRef> onPublished = d -> { };

  Uploader(WriteBack wb) {
    this.wb = wb;
  }

  void onPublished(Consumer<DirRef> listener) {
    this.onPublished = listener;
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
        failed = !round();
      } catch (RuntimeException | IOException e) {
        LOG.error("upload round failed", e);
        failed = true;
        lastError = Optional.of(GridException.of(e));
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

  /** One round; false if something failed and must be retried. */
  private boolean round() throws IOException {
    Map<DirRef, List<PendingState.Change>> all;
    wb.lock.lock();
    try {
      all = wb.pending.allChanges();
    } finally {
      wb.lock.unlock();
    }
    if (all.isEmpty()) {
      clearError();
      return true;
    }
    GridException failure = null;

    // 1. files named by pending puts
    Map<Long, Long> needGen = new HashMap<>();
    Set<Long> childDirs = new HashSet<>();
    for (List<PendingState.Change> changes : all.values()) {
      for (PendingState.Change c : changes) {
        if (c.record() instanceof SetEntry s) {
          if (s.child() instanceof ChildRef.LocalFile f) {
            needGen.merge(f.id(), f.gen(), Math::max);
          } else if (s.child() instanceof ChildRef.LocalDir d) {
            childDirs.add(d.id());
          }
        }
      }
    }
    Map<Long, CompletableFuture<Void>> inFlight = new HashMap<>();
    Map<Long, FileData> uploading = new HashMap<>();
    // a small file's upload is a few round trips and a share fsync per server, with next to no
    // bytes or CPU: SMALL_PER_SLOT of them share one slot, so that servers commit them together
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(
        wb.config.uploadParallelism() * SMALL_PER_SLOT);
    for (Map.Entry<Long, Long> e : needGen.entrySet()) {
      FileData data = wb.files.get(e.getKey());
      if (data == null) {
        continue;
      }
      uploading.put(e.getKey(), data);
      Optional<FileData.Upload> up = data.prepareUpload();
      if (up.isEmpty() && data.base().isPresent()) {
        continue; // nothing sealed beyond what the grid has
      }
      FileData.Upload upload = up.orElseGet(() -> new FileData.Upload(0, 0,
          new FileWrite(Optional.empty(), 0, 0, List.of(), (o, d) -> { })));
      int weight = upload.size() <= SMALL_FILE ? 1 : SMALL_PER_SLOT;
      slots.acquireUninterruptibly(weight);
      CompletableFuture<Void> f;
      try {
        f = wb.grid.writeFile(upload.write()).thenAccept(cap -> {
          try {
            long seq = wb.record(new FileUploaded(data.id(), upload.gen(), cap, upload.size()));
            // on disk before the layers go: a power loss may drop an unforced suffix of the
            // journal, and a commit whose layer file is gone without its FileUploaded is lost.
            // Never the rewrite after a failed force here, on the grid's thread: it takes every
            // pending file's lock, which a reader may hold while it waits on the grid
            wb.durableWithoutRewrite(seq);
          } catch (IOException io) {
            throw new java.io.UncheckedIOException(io);
          }
          data.uploaded(upload.gen(), cap, upload.size());
          wb.budget.progressed(); // a writer past the bound waits while the backlog moves
        });
      } catch (RuntimeException ex) {
        f = CompletableFuture.failedFuture(ex);
      }
      f.whenComplete((v, t) -> slots.release(weight));
      inFlight.put(e.getKey(), f);
    }
    Set<Long> failedFiles = new HashSet<>();
    for (Map.Entry<Long, CompletableFuture<Void>> e : inFlight.entrySet()) {
      try {
        e.getValue().join();
        synchronized (this) {
          uploads++;
        }
      } catch (RuntimeException ex) {
        failedFiles.add(e.getKey()); // its entries wait, whatever the reason
        if (wb.files.get(e.getKey()) != uploading.get(e.getKey())) {
          // unlinked and closed meanwhile: its layers went from under the upload, and nothing
          // refers to it any more, so this is no failure of the round
          LOG.debug("upload of local file {} stopped: the file was removed", e.getKey());
          continue;
        }
        failure = GridException.of(ex);
        LOG.warn("upload of local file {} failed: {}", e.getKey(), failure.getMessage());
      }
    }

    // 2. directories made here: create them, unless nothing refers to them any more
    Map<Long, String> localCaps = new HashMap<>();
    Set<Long> localDirs = new HashSet<>(childDirs);
    for (DirRef d : all.keySet()) {
      if (d instanceof DirRef.Local l) {
        localDirs.add(l.id());
      }
    }
    for (Long id : localDirs) {
      Optional<String> cap = wb.createdCap(id);
      if (cap.isPresent()) {
        localCaps.put(id, cap.get());
        continue;
      }
      if (!childDirs.contains(id)) {
        // removed before it ever reached the grid: its changes have nowhere to go
        List<PendingState.Change> orphan = all.get(new DirRef.Local(id));
        if (orphan != null) {
          markPublished(new DirRef.Local(id), orphan);
        }
        continue;
      }
      try {
        String created = wb.grid.createDirectory().join();
        wb.record(new DirCreated(id, created));
        localCaps.put(id, created);
      } catch (RuntimeException ex) {
        failure = GridException.of(ex);
        LOG.warn("creating a directory failed: {}", failure.getMessage());
      }
    }

    // 3. publish: every directory once with all its changes but moves out, then moves out
    for (int phase = 0; phase < 2; phase++) {
      for (Map.Entry<DirRef, List<PendingState.Change>> e : all.entrySet()) {
        DirRef dir = e.getKey();
        String dirCap = dir instanceof DirRef.Cap c ? c.cap()
            : localCaps.get(((DirRef.Local) dir).id());
        if (dirCap == null) {
          continue;
        }
        List<EntryChange> batch = new ArrayList<>();
        List<NameSeq> done = new ArrayList<>();
        for (PendingState.Change c : e.getValue()) {
          boolean moveOut = c.record() instanceof RemoveEntry r && r.moved();
          if ((phase == 0) == moveOut) {
            continue;
          }
          Optional<EntryChange> resolved = resolve(c, localCaps, failedFiles);
          if (resolved.isEmpty()) {
            continue;
          }
          batch.add(resolved.get());
          done.add(new NameSeq(c.name(), c.seq()));
        }
        if (batch.isEmpty()) {
          continue;
        }
        try {
          wb.publishStarting(dir);
          wb.grid.applyChanges(dirCap, batch).join();
          recordPublished(dir, done);
          wb.budget.progressed();
          synchronized (this) {
            publishes++;
          }
          onPublished.accept(dir);
        } catch (RuntimeException ex) {
          failure = GridException.of(ex);
          LOG.warn("publishing {} changes to a directory failed: {}", batch.size(),
              failure.getMessage());
        }
      }
    }
    wb.maybeCompact();
    wb.pruneClean();
    if (failure != null) {
      if (lastError.isEmpty()) {
        failingSince = Optional.of(wb.config.clock().instant());
      }
      lastError = Optional.of(failure);
      return false;
    }
    clearError();
    return true;
  }

  private void markPublished(DirRef dir, List<PendingState.Change> changes) throws IOException {
    List<NameSeq> done = new ArrayList<>();
    for (PendingState.Change c : changes) {
      done.add(new NameSeq(c.name(), c.seq()));
    }
    recordPublished(dir, done);
  }

  /**
   * Journals that these changes are on the grid, in records of at most about
   * {@link #PUBLISHED_RECORD_BYTES} each: one record for a batch of tens of thousands of names
   * outgrew the journal's 1 MiB record bound, and every round then failed at the same batch.
   * A crash between the records only publishes the unmarked rest again (the same entries).
   */
  private void recordPublished(DirRef dir, List<NameSeq> done) throws IOException {
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < done.size(); i++) {
      long cost = 2 + 8 + 3L * done.get(i).name().length(); // UTF-8: at most 3 bytes a char
      if (i > from && bytes + cost > PUBLISHED_RECORD_BYTES) {
        wb.record(new EntriesPublished(dir, done.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += cost;
    }
    wb.record(new EntriesPublished(dir, done.subList(from, done.size())));
  }

  /** The change as the grid takes it, or empty while what it names is not on the grid yet. */
  private Optional<EntryChange> resolve(PendingState.Change c, Map<Long, String> localCaps,
      Set<Long> failedFiles) {
    if (c.record() instanceof RemoveEntry r) {
      return Optional.of(new EntryChange.Remove(r.name()));
    }
    SetEntry s = (SetEntry) c.record();
    NodeMetadata meta = s.meta();
    ChildRef child = s.child();
    if (child instanceof ChildRef.Cap cap) {
      return Optional.of(new EntryChange.Put(s.name(), Optional.of(cap.cap()), meta));
    } else if (child instanceof ChildRef.Symlink || child instanceof ChildRef.Special) {
      return Optional.of(new EntryChange.Put(s.name(), Optional.empty(), meta));
    } else if (child instanceof ChildRef.LocalDir d) {
      String cap = localCaps.get(d.id());
      return cap == null ? Optional.empty()
          : Optional.of(new EntryChange.Put(s.name(), Optional.of(cap), meta));
    }
    ChildRef.LocalFile f = (ChildRef.LocalFile) child;
    FileData data = wb.files.get(f.id());
    if (data == null || failedFiles.contains(f.id())) {
      return Optional.empty();
    }
    Optional<String> cap = data.base();
    long oldest = data.oldestSealedGen();
    if (cap.isEmpty() || oldest != 0 && oldest <= f.gen()) {
      return Optional.empty(); // the generation this entry names is not uploaded yet
    }
    return Optional.of(new EntryChange.Put(s.name(), cap, meta.withSize(data.baseSize())));
  }

  private void clearError() {
    lastError = Optional.empty();
    failingSince = Optional.empty();
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
        Optional<GridException> err = lastError;
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
    return lastError.isPresent();
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
    long p;
    long u;
    synchronized (this) {
      p = publishes;
      u = uploads;
    }
    return new MountStatus(changes, spool, bound, p, u,
        lastError.map(Throwable::getMessage), failingSince);
  }
}
