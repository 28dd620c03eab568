package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.Optional;

/**
 * What the write-back has not yet put on the grid, and why not.
 *
 * @param pendingChanges directory entry changes not yet published
 * @param spoolBytes bytes the spool holds (committed and open layers)
 * @param lastError the last upload or publish failure, while it persists
 * @param failingSince when uploads began failing
 */
public record MountStatus(int pendingChanges, long spoolBytes, long cacheBound,
    long publishes, long uploads, Optional<String> lastError, Optional<Instant> failingSince) {
  public boolean clean() {
    return pendingChanges == 0;
  }
}
