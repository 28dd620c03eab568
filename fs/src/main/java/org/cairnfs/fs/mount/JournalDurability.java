package org.cairnfs.fs.mount;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the write-back's journal gets to the disk and stays short: forces on request
 * ({@link #durable}) and every interval ({@link #forceEvery}, run by the write-back's forcer
 * thread), and rewrites from memory after a lost force, when the journal is long, and before a
 * close. A rewrite holds the write-back lock, as every change of the pending state does.
 */
final class JournalDurability {
  private static final Logger LOG = LoggerFactory.getLogger(JournalDurability.class);
  private static final long COMPACT_BYTES = 64L << 20;

  private final Journal journal;
  /** The write-back's lock, {@code pending} and {@code files}: the rewrite's source. */
  private final ReentrantLock lock;
  private final PendingState pending;
  private final Map<Long, FileData> files;
  private final Object forcerStop = new Object();
  private boolean forcerStopping; // guarded by forcerStop

  JournalDurability(Journal journal, ReentrantLock lock, PendingState pending,
      Map<Long, FileData> files) {
    this.journal = journal;
    this.lock = lock;
    this.pending = pending;
    this.files = files;
  }

  /**
   * Forces what closes appended since the last force, every {@code nanos}, until stopped. Never
   * interrupted: an interrupt inside a force would close the journal's channel.
   */
  void forceEvery(long nanos) {
    while (true) {
      synchronized (forcerStop) {
        long until = System.nanoTime() + nanos;
        long left;
        while (!forcerStopping && (left = until - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(forcerStop, left);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (forcerStopping) {
          return;
        }
      }
      try {
        durable(journal.lastSeq());
      } catch (IOException | RuntimeException e) {
        LOG.error("forcing the journal to disk failed (closed changes are in the kernel's cache"
            + " only until it works)", e);
      }
    }
  }

  /** Tells {@link #forceEvery} to return. */
  void stopForcing() {
    synchronized (forcerStop) {
      forcerStopping = true;
      forcerStop.notifyAll();
    }
  }

  /**
   * Returns once every record up to {@code seq} is on the local disk. After a failed force the
   * journal is rewritten from memory (the pending state and the spool's sealed layers, forced)
   * rather than forced again: a force that works after one that failed proves nothing about the
   * pages the failed one could not write ({@link Journal}). If the rewrite fails too, so does
   * this, and every later call tries it again.
   */
  void durable(long seq) throws IOException {
    try {
      journal.sync(seq);
    } catch (Journal.ForceLostException lost) {
      LOG.warn("forcing the journal failed ({}); rewriting it from memory", lost.getMessage());
      try {
        compact();
      } catch (IOException e) {
        e.addSuppressed(lost);
        throw e;
      }
      // the rewrite forced every record appended before it, seq's among them
    }
  }

  /** Rewrites the journal as a snapshot when it is long (or empty of work and not tiny). */
  void maybeCompact() throws IOException {
    if (journal.bytes() < COMPACT_BYTES && !(pending.isEmpty() && journal.bytes() > 1 << 20)) {
      return;
    }
    compact();
  }

  /**
   * Rewrites the journal as the snapshot of the pending state, the sealed layers it names
   * forced first (an inline commit's layer was not): everything not yet on the grid, forced.
   */
  private void compact() throws IOException {
    lock.lock();
    try {
      Set<Long> ref = pending.referencedFiles();
      for (Long id : ref) {
        FileData d = files.get(id);
        if (d != null) {
          d.forceSealed();
        }
      }
      pending.prune(Set.of());
      journal.rewrite(pending.snapshot());
    } finally {
      lock.unlock();
    }
  }

  /** Closes the journal, rewritten first if a force was lost. */
  void close() throws IOException {
    if (journal.forceLost()) {
      try {
        compact(); // the close's force would prove nothing about what a failed one lost
      } catch (IOException e) {
        LOG.error("rewriting the journal after a failed force failed; the next mount replays"
            + " what the disk holds", e);
      }
    }
    journal.close(); // fails while the force stays lost
  }
}
