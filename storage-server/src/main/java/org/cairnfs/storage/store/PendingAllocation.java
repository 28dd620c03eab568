package org.cairnfs.storage.store;

import java.io.IOException;

/**
 * An allocation made, whose leases on shares already held are applied but maybe not yet
 * committed ({@link ShareStore#allocatePending}). Its answer may be given only after {@link
 * #awaitDurable} returned; a caller waits for it after releasing its own locks, so the log
 * sync it may take holds none of them.
 */
public final class PendingAllocation {
  /** Waits for the commit; on failure has dropped the uploads the allocation opened. */
  @FunctionalInterface
  interface Durable {
    void await() throws StoreException, IOException;
  }

  private final Allocation allocation;
  private final Durable durable;
  private final long leaseRecordBytes;

  PendingAllocation(Allocation allocation, Durable durable, long leaseRecordBytes) {
    this.allocation = allocation;
    this.durable = durable;
    this.leaseRecordBytes = leaseRecordBytes;
  }

  /** Bytes of lease records the held shares' leases wrote (charged like ADD_LEASE's). */
  public long leaseRecordBytes() {
    return leaseRecordBytes;
  }

  /** What was allocated and what is held (valid once {@link #awaitDurable} returned). */
  public Allocation allocation() {
    return allocation;
  }

  /**
   * Returns once the held shares' new leases are committed; if that commit failed, the uploads
   * this allocation opened have been dropped and the failure is thrown.
   */
  public void awaitDurable() throws StoreException, IOException {
    durable.await();
  }
}
