package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Files;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseLimitException;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;

/**
 * Adds a lease to a share already on disk, adopting a share that has no record (a crash between
 * its rename into place and the lease commit) instead of refusing it. Shared by allocation
 * (clients re-uploading a held share) and ADD_LEASE. Callers hold the index's stripe lock.
 */
final class HeldShareLeases {
  private final ShareLayout layout;
  private final LeaseDb leases;

  HeldShareLeases(ShareLayout layout, LeaseDb leases) {
    this.layout = layout;
    this.leases = leases;
  }

  /** @throws StoreException REJECTED when the share already has the most leases allowed */
  void add(ShareKey key, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    try {
      if (!leases.addLease(key, owner, secrets)) {
        // Held without a record (crash between rename and commit): adopt it.
        long size = Files.size(layout.sharePath(key));
        leases.recordShare(key, size, ShareRecord.NO_SEQNUM, owner, secrets);
      }
    } catch (LeaseLimitException e) {
      throw new StoreException(StoreException.Reason.REJECTED, e.getMessage() + " on " + key);
    }
  }
}
