package org.cairnfs.storage.lease;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.storage.share.ShareKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lease change does to a share record: one lease per owner, the overflow lease when the
 * owner slots are full, renewal by renew secret, pruning of expired leases, and the secrets of
 * the leases a server grants by itself. Pure functions of the clock, the lease duration and the
 * database's salt; {@link LeaseDb} stores what they return.
 */
final class LeaseRules {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRules.class);
  private static final int OWNER_SLOTS = LeaseDb.OWNER_SLOTS;

  private final InstantSource clock;
  private final Duration leaseDuration;
  private final byte[] salt;

  LeaseRules(InstantSource clock, Duration leaseDuration, byte[] salt) {
    this.clock = clock;
    this.leaseDuration = leaseDuration;
    this.salt = salt.clone();
  }

  InstantSource clock() {
    return clock;
  }

  Duration leaseDuration() {
    return leaseDuration;
  }

  /**
   * Secrets of the lease a server grants by itself, for writes that carry no lease secrets
   * (mutable slot writes): derived from a random salt kept in the lease database and the owner, so
   * the same owner's writes renew one lease and nobody outside the server can renew or cancel
   * it. It keeps the share for one lease period; clients add their own lease to keep it longer.
   */
  LeaseSecrets implicitSecrets(LeaseOwner owner) {
    return LeaseSecrets.of(implicitSecret(owner, (byte) 1), implicitSecret(owner, (byte) 2));
  }

  private byte[] implicitSecret(LeaseOwner owner, byte which) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      sha.update(which);
      sha.update(owner.toBytes());
      return sha.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /** The leases that have not run out. */
  List<Lease> live(List<Lease> leases) {
    Instant now = clock.instant();
    List<Lease> out = new ArrayList<>();
    for (Lease lease : leases) {
      if (lease.isLiveAt(now)) {
        out.add(lease);
      }
    }
    return out;
  }

  /**
   * The record with every lease made with this renew secret's hash extended to now + lease
   * duration, or null when none was.
   */
  ShareRecord renewed(ShareRecord record, byte[] renewHash) {
    Instant expiry = clock.instant().plus(leaseDuration);
    boolean matched = false;
    List<Lease> leases = record.mutableLeases();
    for (int i = 0; i < leases.size(); i++) {
      Lease lease = leases.get(i);
      if (lease.renewsWith(renewHash)) {
        matched = true;
        if (lease.expiry().isBefore(expiry)) {
          leases.set(i, lease.withExpiry(expiry));
        }
      }
    }
    return matched ? record.withLeases(leases) : null;
  }

  /**
   * The record with expired leases pruned and {@code owner}'s one lease added or renewed; when
   * every owner slot is taken, the {@link LeaseOwner#OVERFLOW} lease is renewed instead.
   */
  ShareRecord withLease(ShareKey key, ShareRecord record, LeaseOwner owner,
      LeaseSecrets secrets) {
    return withLease(key, record, owner, secrets, true);
  }

  /**
   * {@link #withLease}; without {@code mayAddOwner} an owner holding no lease on the share
   * renews the overflow lease instead of taking a slot of its own.
   */
  ShareRecord withLease(ShareKey key, ShareRecord record, LeaseOwner owner,
      LeaseSecrets secrets, boolean mayAddOwner) {
    List<Lease> leases = live(record.leases());
    Instant expiry = clock.instant().plus(leaseDuration);
    byte[] renewHash = secrets.renewHash();
    for (int i = 0; i < leases.size(); i++) {
      Lease lease = leases.get(i);
      if (lease.owner().equals(owner)) {
        // One lease per owner. Client secrets replace the held ones; the implicit secrets of a
        // slot write stand for "no secrets given" and keep them, so RenewLease still works.
        boolean keepSecrets = lease.renewsWith(renewHash)
            || MessageDigest.isEqual(renewHash, implicitSecrets(owner).renewHash());
        Lease kept = keepSecrets
            ? lease : new Lease(owner, renewHash, secrets.cancelHash(), lease.expiry());
        leases.set(i, kept.expiry().isBefore(expiry) ? kept.withExpiry(expiry) : kept);
        return record.withLeases(leases);
      }
    }
    long ownerLeases = leases.stream().filter(l -> !l.owner().equals(LeaseOwner.OVERFLOW)).count();
    if (leases.size() < ShareRecord.MAX_LEASES
        && (owner.equals(LeaseOwner.OVERFLOW) || (mayAddOwner && ownerLeases < OWNER_SLOTS))) {
      leases.add(new Lease(owner, renewHash, secrets.cancelHash(), expiry));
      return record.withLeases(leases);
    }
    ShareRecord pruned = record.withLeases(leases);
    if (owner.equals(LeaseOwner.OVERFLOW)) {
      // Only a record written before the overflow slot existed can be this full.
      LOG.warn("share {} has {} leases and no overflow lease; none added for {}", key,
          leases.size(), owner);
      return pruned;
    }
    if (mayAddOwner) {
      LOG.info("share {} has all {} owner lease slots taken; {} gets no lease of its own, the "
          + "overflow lease keeps the share instead", key, OWNER_SLOTS, owner);
    } else {
      LOG.debug("disk at its reserved space: {} gets no lease of its own on share {}, the "
          + "overflow lease keeps the share instead", owner, key);
    }
    return withLease(key, pruned, LeaseOwner.OVERFLOW, implicitSecrets(LeaseOwner.OVERFLOW));
  }
}
