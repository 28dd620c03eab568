package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.BooleanSupplier;

/** Opens a lease database whose commits fail while {@code failing} says so (store tests). */
public final class LeaseDbWithCommitFaults {
  private LeaseDbWithCommitFaults() {}

  public static LeaseDb open(Path file, InstantSource clock, Duration leaseDuration,
      BooleanSupplier failing) throws IOException {
    return LeaseDb.open(file, clock, leaseDuration, (commit, operations) -> {
      if (failing.getAsBoolean()) {
        throw new IllegalStateException("lease log write failed (test)");
      }
      commit.run();
    });
  }
}
