package org.cairnfs.fs.mount;

import java.util.Optional;
import org.slf4j.Logger;

/**
 * The failures of one kind in one upload round, logged as two lines at most: the first in full,
 * then how many more (each at DEBUG). A grid that is down fails every pending file in every
 * round; a line each flooded the log (25 000 pending files: 50 MB a round) and rolled away
 * what said why.
 */
final class RoundFailures {
  private final Logger log;
  private final String kind;
  private int count;
  private GridException last;

  /** {@code kind} names the operations in the summary, e.g. "uploads of local files". */
  RoundFailures(Logger log, String kind) {
    this.log = log;
    this.kind = kind;
  }

  /** {@code what} failed ("upload of local file 7"); only the round's first is a warning. */
  void add(String what, GridException failure) {
    last = failure;
    if (count++ == 0) {
      log.warn("{} failed: {}", what, failure.getMessage());
    } else {
      log.debug("{} failed: {}", what, failure.getMessage());
    }
  }

  /** The round's last failure of this kind, if any, for its status. */
  Optional<GridException> last() {
    return Optional.ofNullable(last);
  }

  /**
   * Logs how many failed after the first; at the round's end, in a {@code finally} where a
   * journal error can end it early.
   */
  void logCount() {
    if (count > 1) {
      log.warn("{} more {} failed in this round (each logged at DEBUG)", count - 1, kind);
    }
  }
}
