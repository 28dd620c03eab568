package org.cairnfs.fs.mount;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * What the uploader reports: its counts of file uploads and directory publishes, and the failure
 * of its last round while it persists (with when the failing began). The uploader's thread and
 * the grid's completions write it; status, {@code fsync} and unmount read it from other threads.
 */
final class UploadStatus {
  private volatile Optional<GridException> lastError = Optional.empty();
  private volatile Optional<Instant> failingSince = Optional.empty();
  private long publishes;
  private long uploads;

  synchronized void uploaded() {
    uploads++;
  }

  synchronized void published() {
    publishes++;
  }

  /** A round ended with {@code failure} left: failing counts from the first such round. */
  void failed(GridException failure, InstantSource clock) {
    if (lastError.isEmpty()) {
      failingSince = Optional.of(clock.instant());
    }
    lastError = Optional.of(failure);
  }

  /** A round ended by throwing: reported as its failure, the failing time left as it is. */
  void threw(GridException e) {
    lastError = Optional.of(e);
  }

  /** A round ended with nothing left failing. */
  void clear() {
    lastError = Optional.empty();
    failingSince = Optional.empty();
  }

  Optional<GridException> lastError() {
    return lastError;
  }

  MountStatus mountStatus(int changes, long spool, long bound) {
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
