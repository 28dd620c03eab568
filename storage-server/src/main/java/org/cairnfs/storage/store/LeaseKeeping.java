package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseCommit;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;

/**
 * The leases of shares already held, from ADD_LEASE and RENEW_LEASE (every share of a storage
 * index at once) to the garbage collector deleting a share whose leases all expired. Each runs
 * under the index's stripe lock, so it never races an upload or slot write of that index.
 */
final class LeaseKeeping {
  private final ShareLayout layout;
  private final LeaseDb leases;
  private final StripedLocks stripes;
  private final HeldShareLeases held;

  LeaseKeeping(ShareLayout layout, LeaseDb leases, StripedLocks stripes, HeldShareLeases held) {
    this.layout = layout;
    this.leases = leases;
    this.stripes = stripes;
    this.held = held;
  }

  /**
   * See {@link ShareStore#addLease}. The leases of all the index's shares are applied under its
   * stripe and made durable by one commit waited for after it is released: a commit (a log
   * sync) per share, under the stripe, let one request on an index of up to 512 shares hold
   * every request of the 1/64 of indexes sharing the stripe for as many syncs.
   */
  LeaseWrites add(StorageIndex index, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    List<LeaseCommit> pending = new ArrayList<>();
    synchronized (stripes.of(index)) {
      List<ShareKey> keys = layout.sharesOf(index);
      if (keys.isEmpty()) {
        throw StoreException.notFound("no shares held for " + index);
      }
      for (ShareKey key : keys) {
        pending.add(held.apply(key, owner, secrets));
      }
    }
    return awaitAll(pending);
  }

  /** See {@link ShareStore#renewLease}; committed as {@link #add} is. */
  LeaseWrites renew(StorageIndex index, byte[] renewSecret) throws StoreException, IOException {
    if (renewSecret.length != LeaseSecrets.SECRET_LENGTH) {
      throw StoreException.badRequest("renew secret must be " + LeaseSecrets.SECRET_LENGTH
          + " bytes, got " + renewSecret.length);
    }
    List<LeaseCommit> pending = new ArrayList<>();
    synchronized (stripes.of(index)) {
      for (ShareKey key : layout.sharesOf(index)) {
        LeaseCommit applied = leases.applyRenewal(key, renewSecret);
        if (applied != null) {
          pending.add(applied);
        }
      }
    }
    if (pending.isEmpty()) {
      throw StoreException.notFound("no lease on " + index + " with that renew secret");
    }
    return awaitAll(pending);
  }

  /**
   * Waits for the commits of changes applied (mostly one batch: the first wait commits it);
   * returns how many and the record bytes they wrote.
   */
  static LeaseWrites awaitAll(List<LeaseCommit> pending) {
    long bytes = 0;
    for (LeaseCommit c : pending) {
      c.await();
      bytes += c.recordBytes();
    }
    return new LeaseWrites(pending.size(), bytes);
  }

  /** See {@link ShareStore#collectIfExpired}. */
  boolean collectIfExpired(ShareKey key) throws IOException {
    synchronized (stripes.of(key.index())) {
      if (!Files.exists(layout.sharePath(key))
          || leases.dropExpiredLeases(key) == LeaseDb.Expiry.LIVE) {
        return false;
      }
      delete(key);
      return true;
    }
  }

  /** See {@link ShareStore#collectIndexIfNotRenewedSince}. */
  int collectIndexIfNotRenewedSince(StorageIndex index, LeaseOwner owner, Instant since)
      throws IOException {
    synchronized (stripes.of(index)) {
      List<ShareKey> keys = layout.sharesOf(index);
      for (ShareKey key : keys) {
        if (leases.keptSince(key, owner, since) == LeaseDb.Expiry.LIVE) {
          return 0;
        }
      }
      for (ShareKey key : keys) {
        delete(key);
      }
      return keys.size();
    }
  }

  /** Deletes a share, its record first; under its index's stripe. */
  private void delete(ShareKey key) throws IOException {
    // Record first: a crash before the delete leaves a recordless file, collected next pass.
    leases.removeShare(key);
    Files.deleteIfExists(layout.sharePath(key));
    try {
      Files.deleteIfExists(layout.indexDir(key.index()));
    } catch (DirectoryNotEmptyException e) {
      // other shares of this index remain
    }
  }
}
