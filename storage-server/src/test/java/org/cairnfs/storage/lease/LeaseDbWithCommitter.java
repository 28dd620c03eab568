package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Opens a lease database whose commits go through {@code committer}, given the commit to run
 * and the number of operations it covers (tests in other packages count, gate or slow them).
 */
public final class LeaseDbWithCommitter {
  private LeaseDbWithCommitter() {}

  public static LeaseDb open(Path file, InstantSource clock, Duration leaseDuration,
      BiConsumer<Runnable, Integer> committer) throws IOException {
    return LeaseDb.open(file, clock, leaseDuration, committer::accept);
  }

  /** A 31-day lease database whose commits add the operations they cover to {@code count}. */
  public static LeaseDb counting(Path file, InstantSource clock, AtomicLong count)
      throws IOException {
    return open(file, clock, Duration.ofDays(31), (commit, operations) -> {
      count.addAndGet(operations);
      commit.run();
    });
  }
}
