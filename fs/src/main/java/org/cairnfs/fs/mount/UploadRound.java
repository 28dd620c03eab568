package org.cairnfs.fs.mount;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the uploader over every pending change at once: uploads the files they name
 * ({@link FileUploads}), creates the directories made here, then publishes each directory once
 * ({@link DirectoryPublishes}). A step's failure holds back only what depends on it; the round
 * reports the last one to {@link UploadStatus}, and the journal keeps the rest pending.
 */
final class UploadRound {
  /** The uploader's logger: its messages read as they always have. */
  private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);

  private final WriteBack wb;
  private final UploadStatus status;
  private final FileUploads files;
  private final DirectoryPublishes publishes;

  UploadRound(WriteBack wb, UploadStatus status, FileUploads files,
      DirectoryPublishes publishes) {
    this.wb = wb;
    this.status = status;
    this.files = files;
    this.publishes = publishes;
  }

  /** Passes of a round at most while creates find their names taken. */
  static final int MAX_PASSES = 4;

  /**
   * One round; false if something failed and must be retried. A create that found its name
   * taken was moved to a conflict name (TakenNames): the round goes again at once, so that
   * whoever waits for it (a sync, an fsync) finds the entry on the grid under its new name.
   */
  boolean run() throws IOException {
    for (int pass = 1; ; pass++) {
      boolean ok = runOnce();
      if (!ok || publishes.namesTaken() == 0 || pass == MAX_PASSES) {
        return ok;
      }
    }
  }

  private boolean runOnce() throws IOException {
    Map<DirRef, List<PendingState.Change>> all;
    wb.lock.lock();
    try {
      all = wb.pending.allChanges();
    } finally {
      wb.lock.unlock();
    }
    if (all.isEmpty()) {
      status.clear();
      return true;
    }

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
    Set<Long> failedFiles = new HashSet<>();
    Optional<GridException> uploadFailure = files.upload(needGen, failedFiles);

    // 2. directories made here
    Map<Long, String> localCaps = new HashMap<>();
    Optional<GridException> createFailure = createDirectories(all, childDirs, localCaps);

    // 3. publish: every directory once with all its changes but moves out, then moves out
    Optional<GridException> publishFailure = publishes.publish(all, localCaps, failedFiles);
    wb.maybeCompact();
    wb.pruneClean();
    // the last failure of the round is the one reported
    Optional<GridException> failure = publishFailure.or(() -> createFailure)
        .or(() -> uploadFailure);
    if (failure.isPresent()) {
      status.failed(failure.get(), wb.config.clock());
      return false;
    }
    status.clear();
    return true;
  }

  /**
   * Creates the directories made here that the round names, unless nothing refers to them any
   * more, and puts every cap they have into {@code localCaps}.
   *
   * @return the last failure, if any
   */
  private Optional<GridException> createDirectories(Map<DirRef, List<PendingState.Change>> all,
      Set<Long> childDirs, Map<Long, String> localCaps) throws IOException {
    RoundFailures failures = new RoundFailures(LOG, "directory creations");
    Set<Long> localDirs = new HashSet<>(childDirs);
    for (DirRef d : all.keySet()) {
      if (d instanceof DirRef.Local l) {
        localDirs.add(l.id());
      }
    }
    try {
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
            publishes.markPublished(new DirRef.Local(id), orphan);
          }
          continue;
        }
        try {
          String created = wb.grid.createDirectory().join();
          wb.record(new DirCreated(id, created));
          localCaps.put(id, created);
        } catch (RuntimeException ex) {
          failures.add("creating a directory (local id " + id + ")", GridException.of(ex));
        }
      }
      return failures.last();
    } finally {
      failures.logCount(); // also when a journal error ends the round early
    }
  }
}
