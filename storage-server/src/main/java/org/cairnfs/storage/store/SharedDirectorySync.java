package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directory syncs shared by concurrent callers: one fsync of a directory covers every caller
 * that asked for it before that fsync started, so closes and slot writes landing in the same
 * directory at once pay for one sync, not one each.
 *
 * <p>What a returned {@link #sync} promises is unchanged: a sync of the directory started after
 * the call began and finished (a caller arriving while a sync runs waits for the next one, since
 * the running one may have started before its rename). A failed sync fails every caller it
 * covered. State is kept only while someone waits on a directory, so memory does not grow with
 * the number of directories.
 */
final class SharedDirectorySync {
  /** The sync itself; tests inject one that counts, blocks or fails. */
  interface Syncer {
    void sync(Path dir) throws IOException;
  }

  /** Callers waiting for the next sync of one directory; done once it ran. */
  private static final class Round {
    private boolean done;
    private IOException failure;
  }

  /** One directory's state, guarded by itself; {@code users} by the map's compute. */
  private static final class Dir {
    private Round open = new Round();
    private boolean syncing;
    private int users;
  }

  private final Syncer syncer;
  private final ConcurrentHashMap<Path, Dir> dirs = new ConcurrentHashMap<>();

  SharedDirectorySync(Syncer syncer) {
    this.syncer = syncer;
  }

  /** Returns once a sync of {@code dir} that started after this call has finished. */
  void sync(Path dir) throws IOException {
    Dir d = dirs.compute(dir, (k, v) -> {
      Dir held = v == null ? new Dir() : v;
      held.users++;
      return held;
    });
    try {
      awaitRound(dir, d);
    } finally {
      dirs.computeIfPresent(dir, (k, v) -> --v.users == 0 ? null : v);
    }
  }

  private void awaitRound(Path dir, Dir d) throws IOException {
    Round mine;
    boolean lead = false;
    boolean interrupted = false;
    synchronized (d) {
      mine = d.open;
      while (!mine.done && d.syncing) {
        try {
          d.wait();
        } catch (InterruptedException e) {
          interrupted = true; // the caller's rename must still be made durable
        }
      }
      if (!mine.done) {
        // Not syncing and not done: mine is the open round; lead it.
        d.syncing = true;
        d.open = new Round();
        lead = true;
      }
    }
    try {
      if (lead) {
        lead(dir, d, mine);
      }
      if (mine.failure != null) { // read after the round is done: under d's lock or by its leader
        throw new IOException("sync of directory " + dir + " failed: "
            + mine.failure.getMessage(), mine.failure);
      }
    } finally {
      if (interrupted) {
        // Only now: an interrupted thread's FileChannel would refuse the sync itself.
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs the sync of round {@code mine} for all its callers and wakes them. */
  private void lead(Path dir, Dir d, Round mine) {
    IOException failure = null;
    try {
      syncer.sync(dir);
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException e) {
      failure = new IOException("sync of " + dir + " failed: " + e, e);
    }
    synchronized (d) {
      mine.failure = failure;
      mine.done = true;
      d.syncing = false;
      d.notifyAll();
    }
  }

  /** Callers in {@link #sync} of {@code dir} now (tests). */
  int users(Path dir) {
    Dir d = dirs.get(dir);
    return d == null ? 0 : d.users;
  }

  /** Directories with state held (tests: none once nobody waits). */
  int held() {
    return dirs.size();
  }
}
