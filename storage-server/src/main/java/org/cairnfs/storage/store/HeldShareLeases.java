package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cairnfs.storage.lease.LeaseCommit;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;

/**
 * Adds a lease to a share already on disk, adopting a share that has no record (a crash between
 * its rename into place and the lease commit) instead of refusing it. Shared by allocation
 * (clients re-uploading a held share) and ADD_LEASE. Callers hold the index's stripe lock.
 *
 * <p>A lease of an owner new to the share grows the lease database, which max-space does not
 * count and anyone who knows a storage index may ask for from any number of node ids: when the
 * disk is down to its reserved space, such an owner renews the share's overflow lease instead,
 * so leases cannot fill the disk, and the share is still kept.
 */
final class HeldShareLeases {
  private final ShareLayout layout;
  /** What a new owner's lease may add to the database, records and indexes together. */
  static final long NEW_LEASE_BYTES = 1024;

  private final LeaseDb leases;
  private final SpaceBudget budget;
  private final SlotWriteCheck slotCheck;

  /** @param slotCheck reads the seqnum of an adopted slot share, see {@link HeldSlotVersion} */
  HeldShareLeases(ShareLayout layout, LeaseDb leases, SpaceBudget budget,
      SlotWriteCheck slotCheck) {
    this.layout = layout;
    this.leases = leases;
    this.budget = budget;
    this.slotCheck = slotCheck;
  }

  /**
   * Adds or renews the owner's lease. Never refused for want of lease slots (a full share renews
   * its overflow lease instead, see {@link LeaseDb#addLease}), so other owners' leases cannot
   * block a re-upload of a held share.
   *
   * @throws StoreException never at present; kept in the callers' contract
   */
  void add(ShareKey key, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    apply(key, owner, secrets).await();
  }

  /**
   * {@link #add}, applied now and made durable by the returned commit: a caller holding the
   * index's stripe applies the leases of all its shares and waits for their one commit after
   * releasing it, so a request naming many shares costs one log sync, taken under no stripe.
   */
  LeaseCommit apply(ShareKey key, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    // asked before the database's lock: the budget takes that lock under its own
    LeaseCommit applied =
        leases.applyLease(key, owner, secrets, budget.diskHolds(NEW_LEASE_BYTES));
    if (applied != null) {
      return applied;
    }
    // Held without a record (crash between rename and commit): adopt it.
    Path path = layout.sharePath(key);
    long size = Files.size(path);
    long seqnum = HeldSlotVersion.seqnumOf(key, path, slotCheck);
    return leases.applyShares(
        java.util.List.of(new LeaseDb.NewVersion(key, size, seqnum, owner, secrets)));
  }
}
