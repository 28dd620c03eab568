package org.cairnfs.storage.store;

import java.io.IOException;
import org.cairnfs.storage.lease.LeaseDb;

/**
 * Decides whether new bytes fit, and holds reservations for bytes promised but not yet
 * recorded (uploads in progress, slot versions being written).
 *
 * <p>Used space = recorded share bytes (lease database) + reservations. A request fits when
 * used + request stays within max-space and the disk keeps at least the reserved free space
 * after it. Checks and reservations happen under one lock so two requests cannot both take the
 * last free bytes.
 */
final class SpaceBudget {
  private final StoreLimits limits;
  private final FreeSpace freeSpace;
  private final LeaseDb leases;
  private long reserved;

  SpaceBudget(StoreLimits limits, FreeSpace freeSpace, LeaseDb leases) {
    this.limits = limits;
    this.freeSpace = freeSpace;
    this.leases = leases;
  }

  StoreLimits limits() {
    return limits;
  }

  void checkShareSize(long size) throws StoreException {
    if (size < 0) {
      throw StoreException.badRequest("share size must not be negative: " + size);
    }
    if (size > limits.maxShareSize()) {
      throw new StoreException(StoreException.Reason.SHARE_TOO_BIG, "share of " + size
          + " bytes is over this server's maximum share size of " + limits.maxShareSize());
    }
  }

  /** Reserves {@code bytes} or says why they do not fit. */
  synchronized void reserve(long bytes) throws StoreException, IOException {
    if (bytes <= 0) {
      return;
    }
    long used = usedBytes();
    if (bytes > limits.maxSpace() - used) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full: " + bytes
          + " more bytes would exceed max space " + limits.maxSpace() + " (" + used
          + " used)");
    }
    long usable = freeSpace.usableBytes();
    if (usable - bytes < limits.reservedSpace()) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full: " + bytes
          + " more bytes would leave " + Math.max(0, usable - bytes)
          + " bytes free on disk, below the reserved " + limits.reservedSpace());
    }
    reserved += bytes;
  }

  synchronized long freeBytes() throws IOException {
    long underMax = limits.maxSpace() - usedBytes();
    long onDisk = freeSpace.usableBytes() - limits.reservedSpace();
    return Math.max(0, Math.min(underMax, onDisk));
  }

  synchronized void release(long bytes) {
    if (bytes > 0) {
      reserved -= bytes;
    }
  }

  /** Recorded share bytes plus reservations. */
  synchronized long usedBytes() {
    return leases.totalShareBytes() + reserved;
  }

  synchronized long reservedBytes() {
    return reserved;
  }
}
