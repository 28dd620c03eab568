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
 *
 * <p>Why renewals have a granularity: a share's leases are one record (up to about 8.7 KiB), so
 * renewing any of them rewrites it all. A renewal that would move an expiry by less than {@link
 * #granularity} (an hour by default, or a hundredth of the lease period if shorter; the
 * server's {@code lease-renewal-granularity-seconds}) leaves it as it is, and
 * a change that leaves every lease as it was returns the record itself, which {@link LeaseDb}
 * does not write: renewing a lease renewed moments ago costs no disk write.
 */
final class LeaseRules {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRules.class);
  private static final int OWNER_SLOTS = LeaseDb.OWNER_SLOTS;

  static final Duration DEFAULT_GRANULARITY = Duration.ofHours(1);

  private final InstantSource clock;
  private final Duration leaseDuration;
  private final Duration granularity;
  private final byte[] salt;

  LeaseRules(InstantSource clock, Duration leaseDuration, byte[] salt) {
    this(clock, leaseDuration, DEFAULT_GRANULARITY, salt);
  }

  /** @param most the granularity, unless a hundredth of the lease duration is less */
  LeaseRules(InstantSource clock, Duration leaseDuration, Duration most, byte[] salt) {
    this.clock = clock;
    this.leaseDuration = leaseDuration;
    Duration hundredth = leaseDuration.dividedBy(100);
    this.granularity = hundredth.compareTo(most) < 0 ? hundredth : most;
    this.salt = salt.clone();
  }

  /** The least move of an expiry a renewal makes; smaller ones leave it as it is. */
  Duration granularity() {
    return granularity;
  }

  /** {@code lease} renewed to {@code expiry}, or itself when that moves it less than that. */
  private Lease renewedTo(Lease lease, Instant expiry) {
    Duration moved = Duration.between(lease.expiry(), expiry);
    return moved.isNegative() || moved.isZero() || moved.compareTo(granularity) < 0
        ? lease : lease.withExpiry(expiry);
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
   * Whether {@code lease} still keeps its share for a collection that spares {@code owner}'s
   * leases only when given or renewed at or after {@code since}: a lease given or renewed at
   * time r runs to at least r + duration - granularity (a renewal moving it less is skipped),
   * so {@code owner}'s lease counts from {@code since + duration - granularity}; every other
   * owner's lease keeps the share until it runs out.
   */
  boolean keeps(Lease lease, LeaseOwner owner, Instant since) {
    if (lease.owner().equals(owner)) {
      return !lease.expiry().isBefore(since.plus(leaseDuration).minus(granularity));
    }
    return lease.isLiveAt(clock.instant());
  }

  /**
   * The record with every lease made with this renew secret's hash extended to now + lease
   * duration (the record itself when none moves by the granularity), or null when none was.
   */
  ShareRecord renewed(ShareRecord record, byte[] renewHash) {
    Instant expiry = clock.instant().plus(leaseDuration);
    boolean matched = false;
    boolean changed = false;
    List<Lease> leases = record.mutableLeases();
    for (int i = 0; i < leases.size(); i++) {
      Lease lease = leases.get(i);
      if (lease.renewsWith(renewHash)) {
        matched = true;
        Lease renewed = renewedTo(lease, expiry);
        if (renewed != lease) {
          leases.set(i, renewed);
          changed = true;
        }
      }
    }
    if (!matched) {
      return null;
    }
    return changed ? record.withLeases(leases) : record;
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
    boolean pruned = leases.size() != record.leases().size();
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
        Lease renewed = renewedTo(kept, expiry);
        if (renewed == lease && !pruned) {
          return record;
        }
        leases.set(i, renewed);
        return record.withLeases(leases);
      }
    }
    long ownerLeases = leases.stream().filter(l -> !l.owner().equals(LeaseOwner.OVERFLOW)).count();
    if (leases.size() < ShareRecord.MAX_LEASES
        && (owner.equals(LeaseOwner.OVERFLOW) || (mayAddOwner && ownerLeases < OWNER_SLOTS))) {
      leases.add(new Lease(owner, renewHash, secrets.cancelHash(), expiry));
      return record.withLeases(leases);
    }
    ShareRecord live = pruned ? record.withLeases(leases) : record;
    if (owner.equals(LeaseOwner.OVERFLOW)) {
      // Only a record written before the overflow slot existed can be this full.
      LOG.warn("share {} has {} leases and no overflow lease; none added for {}", key,
          leases.size(), owner);
      return live;
    }
    if (mayAddOwner) {
      // Debug, not info: anyone may ask, once per share per request.
      LOG.debug("share {} has all {} owner lease slots taken; {} gets no lease of its own, the "
          + "overflow lease keeps the share instead", key, OWNER_SLOTS, owner);
    } else {
      LOG.debug("disk at its reserved space: {} gets no lease of its own on share {}, the "
          + "overflow lease keeps the share instead", owner, key);
    }
    return withLease(key, live, LeaseOwner.OVERFLOW, implicitSecrets(LeaseOwner.OVERFLOW));
  }
}
