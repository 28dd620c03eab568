package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.cairnfs.storage.lease.LeaseDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What opening a store does to the disk before it serves anything: creates its directories,
 * deletes whatever an earlier run left in the incoming area (uploads that never closed) and
 * reconciles the lease database with the share tree ({@link StoreReconciliation}), so used
 * space is exact after a crash.
 */
final class StoreStartup {
  /** Logs as the store it opens. */
  private static final Logger log = LoggerFactory.getLogger(ShareStore.class);

  private StoreStartup() {}

  /**
   * Prepares the store under {@code storageDir}; refuses to start (throws) on a lease record
   * that does not decode, with the recovery steps it carries.
   */
  static void prepare(Path storageDir, ShareLayout layout, LeaseDb leases,
      SlotWriteCheck slotCheck) throws IOException {
    Files.createDirectories(layout.sharesDir());
    deleteTree(layout.incomingDir());
    Files.createDirectories(layout.incomingDir());
    StoreReconciliation.Result fixed;
    try {
      fixed = StoreReconciliation.run(layout, leases, slotCheck);
    } catch (java.io.UncheckedIOException e) {
      // A record that does not decode: refuse to start with the recovery steps it carries.
      throw e.getCause();
    }
    if (fixed.changedAnything()) {
      log.warn("{}: lease database reconciled with the share tree after an unclean stop: "
          + "{} recordless share(s) of {} bytes adopted with a recovered lease, {} record(s) "
          + "of {} bytes without a file dropped, {} record size(s) corrected", storageDir,
          fixed.adopted(), fixed.adoptedBytes(), fixed.dropped(), fixed.droppedBytes(),
          fixed.resized());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
